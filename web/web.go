// Package web is the browser side of Rollcall's console: a server-rendered home page that signs
// people in (email link, or single sign-on through their company's domain) and shows the orgs
// they belong to with their role and seat. Its pages are rendered in the shared frame of
// web/page.
package web

import (
	"embed"
	"log/slog"
	"net/http"

	"github.com/rollcall/rollcall/httperr"
	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/session"
	"github.com/rollcall/rollcall/web/page"
)

//go:embed templates/*.html
var templates embed.FS

var pages = page.MustParse(templates, "templates/*.html")

// logoutPath is where the header's "Sign out" button posts (the sign-in entrance serves it).
const logoutPath = "/auth/logout"

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

// homeData is what home.html shows of a signed-in person.
type homeData struct{ Orgs []provisioning.UserOrg }

// home shows the signed-in user's orgs, or the sign-in form.
func (o Options) home(w http.ResponseWriter, r *http.Request) {
	secret := session.Secret(r)
	if secret == "" {
		o.signIn(w, r)
		return
	}
	_, u, err := o.Service.SessionUser(r.Context(), secret)
	if err != nil {
		o.signIn(w, r)
		return
	}
	orgs, err := o.Service.UserOrgs(r.Context(), u.ID)
	if err != nil {
		httperr.LogFailure(r.Context(), o.Logger, "home page", err)
		httperr.SetRetryAfter(w.Header(), provisioning.ErrorCode(err))
		o.check(r, page.WriteError(w, page.ErrorPage{Code: provisioning.ErrorCode(err), Message: provisioning.ErrorMessage(err)}))
		return
	}
	p := page.Page{Title: "Your organizations", Person: &page.Person{Email: u.Email, SignOut: logoutPath}}
	o.check(r, pages.Write(w, http.StatusOK, p, "home.html", homeData{Orgs: orgs}))
}

// signIn shows the sign-in forms: an email link, and single sign-on when it is offered. The SSO
// form's answer redirects to the person's IdP, which browsers check against form-action, so
// the page may send forms on to any https site.
func (o Options) signIn(w http.ResponseWriter, r *http.Request) {
	p := page.Page{Title: "Sign in to Rollcall", Lines: []string{"Sign in with your work email. We will email you a one-time link."},
		Forms: []page.Form{{Action: "/auth/email", Button: "Email me a link", AskEmail: true, Label: "Work email"}}}
	if o.SSOStartPath != "" {
		p.Forms = append(p.Forms, page.Form{Action: o.SSOStartPath, Method: "get", Button: "Sign in with SSO",
			AskEmail: true, Label: "Work email for single sign-on"})
		p.FormTargets = []string{"https:"}
	}
	o.check(r, page.Write(w, http.StatusOK, p))
}

func (o Options) check(r *http.Request, err error) {
	if err != nil {
		o.Logger.ErrorContext(r.Context(), "render home", "err", err)
	}
}
