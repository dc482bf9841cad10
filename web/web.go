// Package web is the browser side of Rollcall: the home page that signs people in (email link,
// or single sign-on through their company's domain) and lists their orgs, and the admin console
// under /console/{org}/…, where org admins manage members, invitations, tokens, the audit log
// and settings, and every member manages their own API tokens. Pages are rendered on the
// server in the shared frame of web/page and work without JavaScript; a small script of the
// frame adds search as you type, copy buttons and confirmation dialogs.
//
// Handlers are thin: they read the form, call the core (provisioning) or the invitations
// service as the signed-in person, and render. Authority is the core's: a page hides the
// buttons the person's role cannot use, and the core refuses them anyway.
package web

import (
	"embed"
	"log/slog"
	"net/http"

	"github.com/rollcall/rollcall/domains"
	"github.com/rollcall/rollcall/invites"
	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/scim"
	"github.com/rollcall/rollcall/session"
	"github.com/rollcall/rollcall/sso"
	"github.com/rollcall/rollcall/web/page"
)

//go:embed templates/*.html templates/partials/*.html
var templates embed.FS

var pages = page.MustParseShared(templates, "templates/partials/*.html", "templates/*.html")

// logoutPath is where the header's "Sign out" button posts (the sign-in entrance serves it).
const logoutPath = "/auth/logout"

// Options configure the home page and the console.
type Options struct {
	Service *provisioning.Service
	// Invites serves the console's invitations (required).
	Invites *invites.Service
	// SSOStartPath, when set, offers single sign-on by email on the sign-in form.
	SSOStartPath string
	// SSO serves the console's single sign-on pages and the checklist's SSO line; nil leaves
	// them out.
	SSO *sso.Service
	// Webhooks describes the webhook settings on the operator's webhooks page.
	Webhooks WebhookConfig
	// SecureCookies marks the console's cookies Secure (the public URL is https).
	SecureCookies bool
	Logger        *slog.Logger
	// Domains and Directory serve the setup pages: the domains, the SCIM directory and the
	// overview's checklist. A page whose service is missing says it is not available.
	Domains   *domains.Service
	Directory *scim.Service
	// PublicURL is the server's external base URL, for the addresses the setup pages give to
	// copy (the SCIM base URL); empty uses the request's host.
	PublicURL string
}

// Handler serves the home page at / and the console under ConsolePrefix; mount it at both.
func Handler(o Options) http.Handler {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", o.home)
	o.routes(mux)
	return mux
}

// homeData is what home.html shows of a signed-in person: their orgs, each with its console.
type homeData struct{ Orgs []homeOrg }

type homeOrg struct {
	provisioning.UserOrg
	Href string
}

// home shows the signed-in user's orgs, or the sign-in form.
func (o *Options) home(w http.ResponseWriter, r *http.Request) {
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
		o.fail(w, r, nil, err)
		return
	}
	v := &visit{user: u, orgs: orgs}
	data := homeData{}
	for _, uo := range orgs {
		data.Orgs = append(data.Orgs, homeOrg{UserOrg: uo, Href: orgPath(uo.Org.Slug)})
	}
	p := page.Page{Title: "Your organizations", Person: v.person(), Orgs: v.switcher()}
	o.check(r, pages.Write(w, http.StatusOK, p, "home.html", data))
}

// signIn shows the sign-in forms.
func (o *Options) signIn(w http.ResponseWriter, r *http.Request) {
	o.check(r, page.Write(w, http.StatusOK, o.signInPage("")))
}

// signInPage is the sign-in page: an email link, and single sign-on when it is offered; next
// is where the email link lands. The SSO form's answer redirects to the person's IdP, which
// browsers check against form-action, so the page may send forms on to any https site.
func (o *Options) signInPage(next string) page.Page {
	p := page.Page{Title: "Sign in to Rollcall", Lines: []string{"Sign in with your work email. We will email you a one-time link."},
		Forms: []page.Form{signInForm(next)}}
	if o.SSOStartPath != "" {
		p.Forms = append(p.Forms, page.Form{Action: o.SSOStartPath, Method: "get", Button: "Sign in with SSO",
			AskEmail: true, Label: "Work email for single sign-on"})
		p.FormTargets = []string{"https:"}
	}
	return p
}

// signInForm asks for an email sign-in link that lands on next (home when empty).
func signInForm(next string) page.Form {
	f := page.Form{Action: "/auth/email", Button: "Email me a link", AskEmail: true, Label: "Work email"}
	if next != "" {
		f.Hidden = map[string]string{"next": next}
	}
	return f
}

func (o *Options) check(r *http.Request, err error) {
	if err != nil {
		o.Logger.ErrorContext(r.Context(), "render page", "err", err)
	}
}
