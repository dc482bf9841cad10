package page_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rollcall/rollcall/web/page"
)

// checkHeaders fails unless h carries the security headers every page must.
func checkHeaders(t *testing.T, h http.Header) {
	t.Helper()
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "frame-ancestors 'none'", "form-action 'self'", "script-src 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP %q allows inline code", csp)
	}
	for name, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
		"Cache-Control": "no-store", "Content-Type": "text/html; charset=utf-8"} {
		if got := h.Get(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
}

// checkFrame fails unless body is a whole page in the shared frame.
func checkFrame(t *testing.T, body string) {
	t.Helper()
	for _, want := range []string{`<link rel="stylesheet" href="` + page.StylesheetURL() + `">`, `id="rollcall-frame"`,
		`<a class="brand" href="/">Rollcall</a>`, `<main id="main"`, `<footer class="site-footer">`, "</html>"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "style=") || strings.Contains(body, "<style") || strings.Contains(body, "<script>") {
		t.Errorf("page has inline styles or scripts:\n%s", body)
	}
}

// TestFrame renders a plain page with every slot filled: escaped text, the signed-in person,
// the org switcher, links and forms.
func TestFrame(t *testing.T) {
	w := httptest.NewRecorder()
	err := page.Write(w, http.StatusAccepted, page.Page{
		Title:  "Join <Acme>",
		Person: &page.Person{Email: "alice@acme.com", SignOut: "/auth/logout"},
		Orgs:   []page.Org{{Name: "Acme", Href: "/console/acme", Current: true}, {Name: "Beta", Href: "/console/beta"}},
		Lines:  []string{"Hello <script>alert(1)</script>"},
		Links:  []page.Link{{Href: "/sso/start?connection=c1&state=x", Text: "Okta", Note: "saml"}},
		Forms:  []page.Form{{Action: "/auth/email", Button: "Email me a link", AskEmail: true, Email: "a@b.c", Hidden: map[string]string{"next": "/join/x"}}},
	})
	if err != nil || w.Code != http.StatusAccepted {
		t.Fatalf("write: %d %v", w.Code, err)
	}
	checkHeaders(t, w.Header())
	body := w.Body.String()
	checkFrame(t, body)
	for _, want := range []string{"<title>Join &lt;Acme&gt; · Rollcall</title>", "<h1>Join &lt;Acme&gt;</h1>",
		"Hello &lt;script&gt;", `Signed in as <strong>alice@acme.com</strong>`, `action="/auth/logout"`,
		`<a href="/console/acme" aria-current="page">Acme</a>`, `href="/sso/start?connection=c1&amp;state=x">Okta</a> <small class="muted">(saml)</small>`,
		`value="a@b.c"`, `<input type="hidden" name="next" value="/join/x">`, `method="post" action="/auth/email"`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "<script") {
		t.Errorf("a page without auto-submitting forms loads a script:\n%s", body)
	}
}

// TestSignedOutFrame: without a person or orgs the header shows only the product name.
func TestSignedOutFrame(t *testing.T) {
	w := httptest.NewRecorder()
	if err := page.Write(w, http.StatusOK, page.Page{Title: "Check your email", Lines: []string{"Sent."}}); err != nil {
		t.Fatal(err)
	}
	body := w.Body.String()
	checkFrame(t, body)
	if strings.Contains(body, `id="person"`) || strings.Contains(body, `class="orgs"`) {
		t.Fatalf("signed-out header shows a person or orgs:\n%s", body)
	}
}

// TestFormTargets: a page whose form posts to an IdP may post there, and only there; a target
// that could inject into the policy is dropped.
func TestFormTargets(t *testing.T) {
	w := httptest.NewRecorder()
	err := page.Write(w, http.StatusOK, page.Page{Title: "Continue",
		Forms:       []page.Form{{Action: "https://idp.example:8443/sso", Button: "Continue", AutoSubmit: true, Hidden: map[string]string{"SAMLRequest": "x"}}},
		FormTargets: []string{"https://idp.example:8443/sso?x=1", "https://evil.example;script-src *", "javascript:alert(1)", "https:"}})
	if err != nil {
		t.Fatal(err)
	}
	csp := w.Header().Get("Content-Security-Policy")
	if !strings.HasSuffix(csp, "form-action 'self' https://idp.example:8443 https:") || strings.Contains(csp, "evil") || strings.Contains(csp, "javascript") {
		t.Fatalf("CSP %q", csp)
	}
	body := w.Body.String()
	if !strings.Contains(body, `action="https://idp.example:8443/sso" data-autosubmit`) || !strings.Contains(body, `<script src="/assets/autosubmit.js?v=`) {
		t.Fatalf("auto-submitting form:\n%s", body)
	}
}
