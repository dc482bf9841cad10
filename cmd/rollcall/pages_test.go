package main

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

var stylesheetLink = regexp.MustCompile(`<link rel="stylesheet" href="(/assets/rollcall\.css\?v=[0-9a-f]+)">`)

// TestPagesShareTheFrame: through the real server, an invitation page and an SSO error page
// are rendered in the one frame (its header marker and stylesheet link, the security headers),
// and the stylesheet they link to is served.
func TestPagesShareTheFrame(t *testing.T) {
	s := startServe(t, nil, "--data-dir", t.TempDir())
	defer func() { s.cancel(); <-s.code }()
	if code, out, errOut := cli(t, s, s.key, "org", "create", "--slug", "acme", "--name", "Acme Inc", "--owner", "alice@acme.com", "--seats", "5"); code != 0 {
		t.Fatalf("org create: %s %s", out, errOut)
	}
	code, out, errOut := cli(t, s, s.key, "member", "invite", "acme", "carol@contractor.io", "--no-email")
	invitation := linkPattern.FindString(out)
	if code != 0 || !strings.HasPrefix(invitation, s.url+"/invitations/") {
		t.Fatalf("member invite: %d %s %s", code, out, errOut)
	}
	pages := map[string]struct {
		url    string
		status int
		text   string
	}{
		"invitation":    {invitation, http.StatusOK, "invited carol@contractor.io to join Acme Inc"},
		"SSO error":     {s.url + "/sso/start?org=nope", http.StatusNotFound, `There is no organization &#34;nope&#34;.`},
		"SSO not found": {s.url + "/sso/nowhere", http.StatusNotFound, "There is no single sign-on page at this address."},
	}
	var css string
	for name, want := range pages {
		res, err := http.Get(want.url)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		body := string(raw)
		if res.StatusCode != want.status || !strings.Contains(body, want.text) || !strings.Contains(body, `<header class="site-header" id="rollcall-frame">`) {
			t.Errorf("%s page: %d\n%s", name, res.StatusCode, body)
		}
		m := stylesheetLink.FindStringSubmatch(body)
		if m == nil {
			t.Errorf("%s page links no stylesheet:\n%s", name, body)
			continue
		}
		css = m[1]
		h := res.Header
		if !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'self'") || h.Get("X-Content-Type-Options") != "nosniff" ||
			h.Get("Referrer-Policy") != "no-referrer" || h.Get("Cache-Control") != "no-store" {
			t.Errorf("%s page headers: %v", name, h)
		}
	}
	if code, body := httpGet(t, s.url+css); code != http.StatusOK || !strings.Contains(body, ":focus-visible") {
		t.Fatalf("stylesheet %s: %d", css, code)
	}
}
