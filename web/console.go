package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/session"
	"github.com/rollcall/rollcall/web/page"
)

// ConsolePrefix is where the console's pages live: /console/{org}/….
const ConsolePrefix = "/console"

// maxForm bounds a console form's body: a bulk invitation of 1,000 long addresses fits.
const maxForm = 512 << 10

// visit is one console request: who is signed in, the orgs they belong to and, on an org's
// pages, that org and their membership in it.
type visit struct {
	user   provisioning.User
	actor  provisioning.Actor
	orgs   []provisioning.UserOrg
	csrf   string
	org    provisioning.OrgView
	member provisioning.Membership
	// flash is what a redirect left for this page (see cookies.go).
	flash flash
}

// role is the signed-in person's role in the org, read with the page. It only decides which
// buttons show; the core checks every action again.
func (v *visit) role() provisioning.Role { return v.member.Role }

// orgHandler serves one of an org's console pages; an error it returns becomes the error page.
type orgHandler func(w http.ResponseWriter, r *http.Request, v *visit) error

// signedIn reads the session, checks that a form comes from this site's own page, and lists the
// person's orgs. Without a session it shows the sign-in form, which comes back here.
func (o *Options) signedIn(w http.ResponseWriter, r *http.Request) (*visit, bool) {
	secret := session.Secret(r)
	if secret == "" {
		o.signInFirst(w, r)
		return nil, false
	}
	_, u, err := o.Service.SessionUser(r.Context(), secret)
	if provisioning.IsCode(err, provisioning.CodeUnauthorized) {
		o.signInFirst(w, r)
		return nil, false
	}
	if err != nil {
		o.fail(w, r, nil, err)
		return nil, false
	}
	v := &visit{user: u, actor: provisioning.UserActor(u), csrf: formToken(secret)}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		if err := o.checkForm(w, r, secret); err != nil {
			o.fail(w, r, v, err)
			return nil, false
		}
	}
	if v.orgs, err = o.Service.UserOrgs(r.Context(), u.ID); err != nil {
		o.fail(w, r, v, err)
		return nil, false
	}
	return v, true
}

// checkForm refuses a form that another site made the browser send: net/http's cross-origin
// check (Sec-Fetch-Site, else Origin against Host) on top of the SameSite=Lax cookie, and the
// form's own token, which only this site's pages carry.
func (o *Options) checkForm(w http.ResponseWriter, r *http.Request, secret string) error {
	refused := provisioning.Errorf(provisioning.CodeForbidden,
		"this form did not come from Rollcall's own page, or it is too old: reload the page and try again")
	if crossOrigin.Check(r) != nil {
		return refused
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	if !formTokenMatches(secret, r.PostForm.Get(csrfField)) {
		return refused
	}
	return nil
}

// signInFirst answers a console page asked for without a session: the sign-in form, which
// brings the person back to the page after the emailed link.
func (o *Options) signInFirst(w http.ResponseWriter, r *http.Request) {
	next := r.URL.Path
	if r.Method == http.MethodGet && r.URL.RawQuery != "" {
		next += "?" + r.URL.RawQuery
	}
	p := o.signInPage(next)
	p.Lines = []string{"Sign in to open the console. We will email you a one-time link that brings you back here."}
	o.check(r, page.Write(w, http.StatusUnauthorized, p))
}

// inOrg serves an org's page to a signed-in, active member of it. The org is named by its slug;
// for someone who is not a member it does not exist.
func (o *Options) inOrg(h orgHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, ok := o.signedIn(w, r)
		if !ok {
			return
		}
		if err := o.enterOrg(w, r, v); err != nil {
			o.fail(w, r, v, err)
			return
		}
		if err := h(w, r, v); err != nil {
			o.fail(w, r, v, err)
		}
	}
}

// enterOrg finds the org of the path among the person's orgs, reads it and remembers it as the
// last org used.
func (o *Options) enterOrg(w http.ResponseWriter, r *http.Request, v *visit) error {
	slug := strings.ToLower(r.PathValue("org"))
	var mine *provisioning.UserOrg
	for i := range v.orgs {
		if v.orgs[i].Org.Slug == slug {
			mine = &v.orgs[i]
		}
	}
	if mine == nil {
		return provisioning.Errorf(provisioning.CodeNotFound, "you are not a member of an organization called %q", slug)
	}
	if mine.Membership.Status != provisioning.StatusActive {
		return provisioning.Errorf(provisioning.CodeForbidden, "your membership of %s is %s: ask one of its admins", mine.Org.Name, mine.Membership.Status)
	}
	org, err := o.Service.GetOrg(r.Context(), v.actor, mine.Org.ID)
	if err != nil {
		return err
	}
	v.org, v.member = org, mine.Membership
	rememberOrg(w, r, org.Slug, o.SecureCookies)
	if r.Method == http.MethodGet {
		v.flash = takeFlash(w, r, o.SecureCookies)
	}
	return nil
}

// consoleHome sends /console to the org used last, else the person's first org, else home.
func (o *Options) consoleHome(w http.ResponseWriter, r *http.Request) {
	v, ok := o.signedIn(w, r)
	if !ok {
		return
	}
	last := lastOrg(r)
	target := "/"
	for _, uo := range v.orgs {
		if uo.Membership.Status != provisioning.StatusActive {
			continue
		}
		if target == "/" || uo.Org.Slug == last {
			target = orgPath(uo.Org.Slug)
		}
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// orgHome opens an org: admins land on its overview with the setup checklist, everyone else
// on the org's page.
func (o *Options) orgHome(w http.ResponseWriter, r *http.Request, v *visit) error {
	if v.role().IsAdmin() {
		return o.overview(w, r, v)
	}
	http.Redirect(w, r, v.path("/about"), http.StatusSeeOther)
	return nil
}

// orgPath is the console's address of an org.
func orgPath(slug string) string { return ConsolePrefix + "/" + url.PathEscape(slug) }

// path is the address of one of the org's pages, such as v.path("/members").
func (v *visit) path(rest string) string { return orgPath(v.org.Slug) + rest }

// notFound answers any other address under /console.
func (o *Options) notFound(w http.ResponseWriter, r *http.Request) {
	o.fail(w, r, nil, provisioning.Errorf(provisioning.CodeNotFound, "there is no console page at this address"))
}

// settingsOf is the org's settings when the signed-in person may see them (owners, admins),
// else the zero settings.
func settingsOf(org provisioning.OrgView) provisioning.Settings {
	if org.Settings == nil {
		return provisioning.Settings{}
	}
	return *org.Settings
}
