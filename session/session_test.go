package session_test

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/session"
)

// TestCookie: the session cookie has a relative lifetime (so a client clock that differs from
// the server's cannot drop it early), is HttpOnly and SameSite=Lax, Secure over TLS or when
// asked, and reads back; Clear deletes it.
func TestCookie(t *testing.T) {
	cases := []struct {
		name   string
		tls    bool
		secure bool
		want   bool
	}{{"plain http", false, false, false}, {"https public URL", false, true, true}, {"TLS request", true, false, true}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			if c.tls {
				r.TLS = &tls.ConnectionState{}
			}
			w := httptest.NewRecorder()
			session.Set(w, r, "sess_secret", c.secure)
			got := w.Result().Cookies()
			if len(got) != 1 {
				t.Fatalf("cookies: %v", got)
			}
			k := got[0]
			if k.Name != session.CookieName || k.Value != "sess_secret" || k.Path != "/" || !k.Expires.IsZero() ||
				k.MaxAge != int(provisioning.SessionTTL.Seconds()) || !k.HttpOnly || k.SameSite != http.SameSiteLaxMode || k.Secure != c.want {
				t.Fatalf("cookie %+v", k)
			}
			back := httptest.NewRequest("GET", "/", nil)
			back.AddCookie(k)
			if session.Secret(back) != "sess_secret" || session.Secret(httptest.NewRequest("GET", "/", nil)) != "" {
				t.Fatal("Secret does not read the cookie back")
			}
			w = httptest.NewRecorder()
			session.Clear(w, r, c.secure)
			if k := w.Result().Cookies()[0]; k.Name != session.CookieName || k.MaxAge >= 0 || k.Value != "" {
				t.Fatalf("cleared cookie %+v", k)
			}
		})
	}
}
