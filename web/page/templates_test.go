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
