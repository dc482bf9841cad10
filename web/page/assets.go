package page

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"net/http"
	"strings"
)

// AssetsPrefix is the path under which Assets serves the stylesheet and the script; mount
// Assets there (the server does, for every page links to it).
const AssetsPrefix = "/assets/"

//go:embed assets
var assetFiles embed.FS

// asset is one embedded file: its bytes, type and the URL pages use, which names a version
// (a hash of its bytes) so a browser keeps it for a year and still sees an upgrade's new one.
type asset struct {
	body        []byte
	contentType string
	url         string
}

var (
	stylesheet    = loadAsset("rollcall.css", "text/css; charset=utf-8")
	autosubmit    = loadAsset("autosubmit.js", "text/javascript; charset=utf-8")
	consoleScript = loadAsset("console.js", "text/javascript; charset=utf-8")
	assets        = map[string]asset{"rollcall.css": stylesheet, "autosubmit.js": autosubmit, "console.js": consoleScript}
)

func loadAsset(name, contentType string) asset {
	body, err := assetFiles.ReadFile("assets/" + name)
	if err != nil {
		panic(err)
	}
	sum := sha256.Sum256(body)
	return asset{body: body, contentType: contentType, url: AssetsPrefix + name + "?v=" + hex.EncodeToString(sum[:6])}
}

// StylesheetURL is the URL of the stylesheet, as pages link to it.
func StylesheetURL() string { return stylesheet.url }

// Assets serves the stylesheet and the scripts (auto-submit, console) at AssetsPrefix + name, cached for a
// year: their URLs change with their content.
func Assets() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := assets[strings.TrimPrefix(r.URL.Path, AssetsPrefix)]
		if !ok || !strings.HasPrefix(r.URL.Path, AssetsPrefix) {
			http.NotFound(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		h := w.Header()
		h.Set("Content-Type", a.contentType)
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		h.Set("X-Content-Type-Options", "nosniff")
		if r.Method == http.MethodHead {
			return
		}
		_, _ = w.Write(a.body)
	})
}
