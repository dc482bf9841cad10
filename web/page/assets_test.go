package page_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rollcall/rollcall/web/page"
)

// TestAssets: the stylesheet and the script are served with their types and a long cache;
// anything else under the prefix is not found.
func TestAssets(t *testing.T) {
	srv := httptest.NewServer(page.Assets())
	defer srv.Close()
	for path, want := range map[string]string{page.StylesheetURL(): "text/css; charset=utf-8",
		page.AssetsPrefix + "rollcall.css": "text/css; charset=utf-8", page.AssetsPrefix + "autosubmit.js": "text/javascript; charset=utf-8",
		page.AssetsPrefix + "console.js": "text/javascript; charset=utf-8"} {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != want || len(body) == 0 ||
			!strings.Contains(res.Header.Get("Cache-Control"), "max-age=31536000") || res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: %d %v", path, res.StatusCode, res.Header)
		}
	}
	css := get(t, srv.URL+page.StylesheetURL())
	if !strings.Contains(css, ":focus-visible") || !strings.Contains(css, "@media (max-width") {
		t.Error("the stylesheet has no visible focus or no small-screen rules")
	}
	for _, path := range []string{page.AssetsPrefix + "nope.css", page.AssetsPrefix, "/rollcall.css"} {
		if res, err := http.Get(srv.URL + path); err != nil || res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %v %v", path, err, res.Status)
		}
	}
	if res, err := http.Post(srv.URL+page.StylesheetURL(), "text/css", nil); err != nil || res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %v %v", err, res.Status)
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}
