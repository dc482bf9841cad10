// Package session owns the console session cookie: its name, its attributes and its lifetime.
// Every package that signs people in (email links, invitations, single sign-on) and every page
// that reads who is signed in goes through it, so the cookie is defined once.
package session

import (
	"net/http"

	"github.com/rollcall/rollcall/provisioning"
)

// CookieName names the cookie that carries a console session's secret.
const CookieName = "rollcall_session"

// Set writes the session cookie for a new session. Its lifetime is relative (Max-Age), so a
// client whose clock differs from the server's keeps it exactly as long as the server does.
// The cookie is HttpOnly, SameSite=Lax, and Secure when the request came over TLS or secure is
// set (the public URL is https).
func Set(w http.ResponseWriter, r *http.Request, secret string, secure bool) {
	http.SetCookie(w, cookie(r, secret, int(provisioning.SessionTTL.Seconds()), secure))
}

// Clear tells the browser to drop the session cookie.
func Clear(w http.ResponseWriter, r *http.Request, secure bool) {
	http.SetCookie(w, cookie(r, "", -1, secure))
}

// Secret returns the session secret the request carries, or "".
func Secret(r *http.Request) string {
	if c, err := r.Cookie(CookieName); err == nil {
		return c.Value
	}
	return ""
}

func cookie(r *http.Request, value string, maxAge int, secure bool) *http.Cookie {
	return &http.Cookie{Name: CookieName, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: secure || r.TLS != nil}
}
