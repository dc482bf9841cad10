// Submits forms marked data-autosubmit once the page has loaded (the SAML HTTP-POST binding).
// Without JavaScript the person presses the form's button; the page works either way.
document.querySelectorAll("form[data-autosubmit]").forEach(function (f) { f.submit(); });
