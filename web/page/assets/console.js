// The console's progressive enhancements. Every page works without this script; with it:
//   - a form marked data-live="#region" re-renders that region as the person types or picks a
//     filter (search as you type), fetching the same page the form would load;
//   - buttons marked data-copy="id" (hidden without scripts) copy that element's text;
//   - forms marked data-confirm="question" ask in a dialog first, and then send confirmed=yes,
//     so the server skips its own confirmation page.
(function () {
  "use strict";

  function live(form) {
    var region = document.querySelector(form.getAttribute("data-live"));
    if (!region) { return; }
    var timer = null, seq = 0;
    function load() {
      var params = new URLSearchParams();
      new FormData(form).forEach(function (value, name) { if (value !== "") { params.append(name, value); } });
      var url = form.action.split("?")[0] + (params.toString() ? "?" + params.toString() : "");
      var mine = ++seq;
      region.setAttribute("aria-busy", "true");
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (r) { return r.text(); })
        .then(function (html) {
          if (mine !== seq) { return; }
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.querySelector(form.getAttribute("data-live"));
          if (fresh) {
            region.innerHTML = fresh.innerHTML;
            reveal(region);
            history.replaceState(null, "", url);
          }
        })
        .catch(function () { form.submit(); })
        .finally(function () { if (mine === seq) { region.removeAttribute("aria-busy"); } });
    }
    form.addEventListener("input", function (e) {
      if (e.target.type !== "search" && e.target.type !== "text") { return; }
      clearTimeout(timer);
      timer = setTimeout(load, 250);
    });
    form.addEventListener("change", function (e) {
      if (e.target.tagName === "SELECT") { load(); }
    });
    form.addEventListener("submit", function (e) { e.preventDefault(); clearTimeout(timer); load(); });
  }

  // reveal shows the copy buttons under root: they work only with this script.
  function reveal(root) {
    root.querySelectorAll("button[data-copy]").forEach(function (b) { b.hidden = false; });
  }

  function copy(button) {
    var el = document.getElementById(button.getAttribute("data-copy"));
    if (!el) { return; }
    var text = (el.value !== undefined ? el.value : el.textContent).trim();
    var done = function () {
      var was = button.textContent;
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = was; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { select(el); });
      return;
    }
    select(el);
    try { if (document.execCommand("copy")) { done(); } } catch (err) { /* left selected to copy by hand */ }
  }

  function select(el) {
    if (el.select) { el.select(); return; }
    var range = document.createRange();
    range.selectNodeContents(el);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }

  function button(text, className) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = className;
    b.textContent = text;
    return b;
  }

  // confirmFirst holds a form marked data-confirm until the person confirms in a dialog.
  function confirmFirst(e) {
    var form = e.target;
    if (!form.matches || !form.matches("form[data-confirm]") || form.getAttribute("data-confirmed") === "yes") { return; }
    e.preventDefault();
    var dialog = document.createElement("dialog");
    dialog.className = "confirm";
    dialog.setAttribute("aria-labelledby", "confirm-text");
    var p = document.createElement("p");
    p.id = "confirm-text";
    p.textContent = form.getAttribute("data-confirm");
    var row = document.createElement("div");
    row.className = "actions";
    var cancel = button("Cancel", "secondary");
    var ok = button(form.getAttribute("data-confirm-button") || "Confirm", form.classList.contains("danger") ? "danger" : "");
    ok.id = "confirm-ok";
    row.appendChild(cancel);
    row.appendChild(ok);
    dialog.appendChild(p);
    dialog.appendChild(row);
    document.body.appendChild(dialog);
    cancel.addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("close", function () { dialog.remove(); });
    ok.addEventListener("click", function () {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "confirmed";
      input.value = "yes";
      form.appendChild(input);
      form.setAttribute("data-confirmed", "yes");
      dialog.close();
      form.submit();
    });
    dialog.showModal();
    ok.focus();
  }

  document.querySelectorAll("form[data-live]").forEach(live);
  reveal(document);
  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("button[data-copy]");
    if (b) { copy(b); }
  });
  document.addEventListener("submit", confirmFirst);
}());
