package page

import (
	"net/http"
	"net/url"
	"strings"
)

// policy is the Content Security Policy of every page: only this site's own stylesheet, script
// and images, no plugins, no <base>, never framed; forms post to this site (form-action is
// added by formAction).
const policy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "

// setHeaders sets the headers every page carries: its type, the policy, no sniffing, no
// referrer (links carry secrets in their query), never framed, and never stored: pages show
// per-person content and one-time secrets.
func setHeaders(h http.Header, formTargets []string) {
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", policy+formAction(formTargets))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	NoStore(h)
}

// NoStore tells browsers and proxies to keep no copy of a response: every page, and redirects
// that carry a secret or set a session.
func NoStore(h http.Header) {
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
}

// formAction is the form-action directive: 'self' and the sources of the page's form targets.
// A target that is neither "https:" nor an http(s) URL with a plain host is dropped.
func formAction(targets []string) string {
	sources := []string{"'self'"}
	for _, t := range targets {
		if s := formSource(t); s != "" {
			sources = append(sources, s)
		}
	}
	return "form-action " + strings.Join(sources, " ")
}

func formSource(target string) string {
	if target == "https:" {
		return target
	}
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || !plainHost(u.Host) {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// plainHost reports a host[:port] of letters, digits, dots, dashes and an IPv6 literal's
// brackets and colons only: nothing that could end a CSP source or directive.
func plainHost(h string) bool {
	for _, c := range h {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune(".-:[]", c)
		if !ok {
			return false
		}
	}
	return true
}
