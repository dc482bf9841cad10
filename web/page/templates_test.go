package page_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/rollcall/rollcall/web/page"
)

// TestTemplates: a content template of its own (as the console's pages) renders in the frame
// with its data, may use the form partial, and a missing one answers 500 with an error.
func TestTemplates(t *testing.T) {
	fsys := fstest.MapFS{"pages/hello.html": {Data: []byte(`{{define "main"}}<p id="hi">{{.Data}}</p>{{range .Forms}}{{template "form" .}}{{end}}{{end}}`)}}
	set := page.MustParse(fsys, "pages/*.html")
	w := httptest.NewRecorder()
	p := page.Page{Title: "Hello", Forms: []page.Form{{Action: "/x", Button: "Go"}}}
	if err := set.Write(w, http.StatusOK, p, "hello.html", "<b>world</b>"); err != nil {
		t.Fatal(err)
	}
	checkHeaders(t, w.Header())
	body := w.Body.String()
	checkFrame(t, body)
	if !strings.Contains(body, `<p id="hi">&lt;b&gt;world&lt;/b&gt;</p>`) || !strings.Contains(body, `action="/x"`) {
		t.Fatalf("content:\n%s", body)
	}
	w = httptest.NewRecorder()
	if err := set.Write(w, http.StatusOK, p, "nope.html", nil); err == nil || w.Code != http.StatusInternalServerError || strings.Contains(w.Body.String(), "nope") {
		t.Fatalf("missing template: %d %v %q", w.Code, err, w.Body.String())
	}
}

// TestMustParsePanics: a pattern that matches nothing stops the program at start-up.
func TestMustParsePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	page.MustParse(fstest.MapFS{}, "pages/*.html")
}

// TestConsoleSlots: section tabs with the current one marked, the notice and the alert, a wide
// page, the console script on an enhanced page only, and partials shared by every page.
func TestConsoleSlots(t *testing.T) {
	fsys := fstest.MapFS{
		"pages/a.html":        {Data: []byte(`{{define "main"}}{{template "badge" .Data}}{{end}}`)},
		"partials/badge.html": {Data: []byte(`{{define "badge"}}<span class="badge">{{.}}</span>{{end}}`)},
	}
	set := page.MustParseShared(fsys, "partials/*.html", "pages/*.html")
	w := httptest.NewRecorder()
	p := page.Page{Title: "Members", Wide: true, Enhanced: true, Notice: "Saved <ok>.", Alert: "Refused.",
		Nav: []page.NavLink{{Href: "/console/acme/members", Text: "Members", Current: true}, {Href: "/console/acme/tokens", Text: "API tokens"}}}
	if err := set.Write(w, http.StatusOK, p, "a.html", "owner"); err != nil {
		t.Fatal(err)
	}
	checkHeaders(t, w.Header())
	body := w.Body.String()
	checkFrame(t, body)
	for _, want := range []string{`<nav class="tabs" aria-label="Sections">`, `<a href="/console/acme/members" aria-current="page">Members</a>`,
		`<a href="/console/acme/tokens">API tokens</a>`, `<main id="main" class="wide">`, `role="status" id="notice">Saved &lt;ok&gt;.</p>`,
		`role="alert" id="alert">Refused.</p>`, `<script src="/assets/console.js?v=`, `<span class="badge">owner</span>`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q:\n%s", want, body)
		}
	}
	w = httptest.NewRecorder()
	if err := set.Write(w, http.StatusOK, page.Page{Title: "Plain"}, "a.html", "x"); err != nil {
		t.Fatal(err)
	}
	if b := w.Body.String(); strings.Contains(b, "<script") || strings.Contains(b, `class="tabs"`) || strings.Contains(b, `class="wide"`) {
		t.Errorf("a plain page shows console slots:\n%s", b)
	}
}
