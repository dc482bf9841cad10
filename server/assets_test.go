package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/rollcall/rollcall/web/page"
)

// TestStylesheetServed: the server serves the pages' stylesheet at the URL pages link to, long
// cached, whatever surfaces are mounted (here the home page at "/").
func TestStylesheetServed(t *testing.T) {
	home := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("home")) })
	url, _ := start(t, &fakeDB{}, Mount{Pattern: "/", Handler: home})
	code, body, hdr := get(t, url+page.StylesheetURL())
	if code != 200 || hdr.Get("Content-Type") != "text/css; charset=utf-8" || !strings.Contains(hdr.Get("Cache-Control"), "max-age=31536000") ||
		!strings.Contains(body, ":focus-visible") {
		t.Fatalf("stylesheet: %d %v", code, hdr)
	}
	if code, _, _ := get(t, url+page.AssetsPrefix+"nope.css"); code != 404 {
		t.Fatalf("unknown asset: %d", code)
	}
}
