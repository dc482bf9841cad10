// Package web is the browser side of Rollcall's console: a server-rendered home page that signs
// people in (email link, or single sign-on through their company's domain) and shows the orgs
// they belong to with their role and seat.
package web

import (
	"embed"
	"html/template"
	"log/slog"
	"net/http"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/session"
)

//go:embed templates/*.html
var templates embed.FS

var pages = template.Must(template.ParseFS(templates, "templates/*.html"))

// Options configure the console.
type Options struct {
	Service *provisioning.Service
	// SSOStartPath, when set, offers single sign-on by email on the sign-in form.
	SSOStartPath string
	Logger       *slog.Logger
}

// Handler serves the console's pages.
func Handler(o Options) http.Handler {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", o.home)
	return mux
}

type homePage struct {
	User     *provisioning.User
	Orgs     []provisioning.UserOrg
	SSOStart string
}

// home shows the signed-in user's orgs, or the sign-in form.
func (o Options) home(w http.ResponseWriter, r *http.Request) {
	page := homePage{SSOStart: o.SSOStartPath}
	if secret := session.Secret(r); secret != "" {
		if _, u, err := o.Service.SessionUser(r.Context(), secret); err == nil {
			orgs, err := o.Service.UserOrgs(r.Context(), u.ID)
			if err != nil {
				o.Logger.ErrorContext(r.Context(), "home page", "err", err)
				http.Error(w, "Internal error.", http.StatusInternalServerError)
				return
			}
			page.User, page.Orgs = &u, orgs
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	if err := pages.ExecuteTemplate(w, "home.html", page); err != nil {
		o.Logger.ErrorContext(r.Context(), "render home", "err", err)
	}
}
