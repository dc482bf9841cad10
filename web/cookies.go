package web

import (
	"encoding/base64"
	"net/http"
)

// Cookies of the console, both scoped to its pages: the org used last, for /console, and a
// one-time notice that a form's redirect leaves for the next page ("Role changed.").
const (
	lastOrgCookie = "rollcall_org"
	flashCookie   = "rollcall_notice"
)

func consoleCookie(r *http.Request, name, value string, maxAge int, secure bool) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: ConsolePrefix, MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: secure || r.TLS != nil}
}

// rememberOrg keeps the org just opened for a year, so /console opens it next time.
func rememberOrg(w http.ResponseWriter, r *http.Request, slug string, secure bool) {
	if c, err := r.Cookie(lastOrgCookie); err == nil && c.Value == slug {
		return
	}
	http.SetCookie(w, consoleCookie(r, lastOrgCookie, slug, 365*24*3600, secure))
}

// lastOrg is the slug of the org opened last, or "".
func lastOrg(r *http.Request) string {
	if c, err := r.Cookie(lastOrgCookie); err == nil {
		return c.Value
	}
	return ""
}

// flash is what a form's redirect leaves for the next page: a confirmation, or a refusal.
type flash struct {
	Notice, Alert string
}

// redirectWithNotice answers a form with a redirect to the page to show next, leaving notice for
// it (post, redirect, get: reloading that page sends nothing again).
func redirectWithNotice(w http.ResponseWriter, r *http.Request, to, notice string, secure bool) {
	redirectWith(w, r, to, "+"+notice, secure)
}

// redirectWithAlert is redirectWithNotice for a refusal, shown as an error.
func redirectWithAlert(w http.ResponseWriter, r *http.Request, to, alert string, secure bool) {
	redirectWith(w, r, to, "!"+alert, secure)
}

func redirectWith(w http.ResponseWriter, r *http.Request, to, value string, secure bool) {
	http.SetCookie(w, consoleCookie(r, flashCookie, base64.RawURLEncoding.EncodeToString([]byte(value)), 60, secure))
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// takeFlash returns what a redirect left, once, and clears it.
func takeFlash(w http.ResponseWriter, r *http.Request, secure bool) flash {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return flash{}
	}
	http.SetCookie(w, consoleCookie(r, flashCookie, "", -1, secure))
	b, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil || len(b) < 2 || len(b) > 1000 {
		return flash{}
	}
	if b[0] == '!' {
		return flash{Alert: string(b[1:])}
	}
	return flash{Notice: string(b[1:])}
}
