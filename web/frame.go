package web

import (
	"net/http"

	"github.com/rollcall/rollcall/httperr"
	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/web/page"
)

// section is one tab of the console's navigation and the least role that sees it.
type section struct {
	path, text string
	min        provisioning.Role
}

// sections are the console's tabs in order. Hiding a tab is only a courtesy: each page's core
// call refuses a role that may not see it.
var sections = []section{
	{"", "Overview", provisioning.RoleAdmin},
	{"/members", "Members", provisioning.RoleAdmin},
	{"/invite", "Invite", provisioning.RoleAdmin},
	{"/invite-links", "Invite links", provisioning.RoleAdmin},
	{"/domains", "Domains", provisioning.RoleAdmin},
	{"/scim", "Directory (SCIM)", provisioning.RoleAdmin},
	{"/tokens", "API tokens", provisioning.RoleMember},
	{"/sso", "Single sign-on", provisioning.RoleAdmin},
	{"/audit", "Audit log", provisioning.RoleAdmin},
	{"/settings", "Settings", provisioning.RoleAdmin},
	{"/about", "Organization", provisioning.RoleViewer},
}

// frame is the page frame of one of the org's pages: the person, the org switcher, the tabs
// their role sees with current marked, and the notice a redirect left.
func (v *visit) frame(title, current string) page.Page {
	p := page.Page{Title: title, Person: v.person(), Orgs: v.switcher(), Wide: true, Enhanced: true,
		Notice: v.flash.Notice, Alert: v.flash.Alert}
	for _, s := range sections {
		if v.role().Rank() >= s.min.Rank() {
			p.Nav = append(p.Nav, page.NavLink{Href: v.path(s.path), Text: s.text, Current: s.path == current})
		}
	}
	return p
}

func (v *visit) person() *page.Person {
	if v == nil {
		return nil
	}
	return &page.Person{Email: v.user.Email, SignOut: logoutPath}
}

// switcher lists the person's active orgs, each linking to its console.
func (v *visit) switcher() []page.Org {
	var out []page.Org
	for _, uo := range v.orgs {
		if uo.Membership.Status == provisioning.StatusActive {
			out = append(out, page.Org{Name: uo.Org.Name, Href: orgPath(uo.Org.Slug), Current: uo.Org.ID == v.org.ID})
		}
	}
	return out
}

// base is what every console template sees of the visit: the form token, the org and the
// person's role.
type base struct {
	CSRF    string
	Org     provisioning.OrgView
	Role    provisioning.Role
	IsOwner bool
	IsAdmin bool
	// Path is the org's console address, for links and form actions.
	Path string
}

func (v *visit) base() base {
	return base{CSRF: v.csrf, Org: v.org, Role: v.role(), IsOwner: v.role() == provisioning.RoleOwner,
		IsAdmin: v.role().IsAdmin(), Path: v.path("")}
}

// render writes a console page; a template failure is logged and answered with a bare 500.
func (o *Options) render(w http.ResponseWriter, r *http.Request, status int, p page.Page, name string, data any) error {
	o.check(r, pages.Write(w, status, p, name, data))
	return nil
}

// fail renders err as the error page: its code's status and its safe message; an internal
// cause goes to the log only, with the request's reference shown to the person.
func (o *Options) fail(w http.ResponseWriter, r *http.Request, v *visit, err error) {
	code := provisioning.ErrorCode(err)
	e := page.ErrorPage{Code: code, Message: provisioning.ErrorMessage(err), Person: v.person()}
	if httperr.Status(code) >= 500 {
		e.Ref = w.Header().Get("X-Request-Id")
		httperr.LogFailure(r.Context(), o.Logger, "console request failed", err, "path", provisioning.RedactPath(r.URL.Path))
		httperr.SetRetryAfter(w.Header(), code)
	}
	switch {
	case v != nil && v.org.ID != "":
		e.Retry = &page.Link{Href: v.path(""), Text: "Back to " + v.org.Name}
	case v != nil:
		e.Retry = &page.Link{Href: "/", Text: "Back to your organizations"}
	}
	if code == provisioning.CodeUnauthorized {
		f := signInForm(r.URL.Path)
		e.SignIn = &f
	}
	o.check(r, page.WriteError(w, e))
}
