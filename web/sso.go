package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/rollcall/rollcall/httperr"
	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/sso"
)

// ssoRoutes registers the single sign-on pages (owners and admins; the SSO service checks).
func (o *Options) ssoRoutes(org func(method, path string, h orgHandler)) {
	if o.SSO == nil {
		return
	}
	org("GET", "/sso", o.ssoList)
	org("GET", "/sso/new", o.ssoNew)
	org("POST", "/sso/new", o.ssoCreate)
	org("GET", "/sso/{conn}", o.ssoConnection)
	org("POST", "/sso/{conn}/idp", o.ssoSaveIdP)
	org("POST", "/sso/{conn}/settings", o.ssoSaveSettings)
	org("POST", "/sso/{conn}/enable", o.ssoSwitch(true))
	org("POST", "/sso/{conn}/disable", o.ssoSwitch(false))
	org("POST", "/sso/{conn}/delete", o.ssoDelete)
	org("POST", "/sso/{conn}/test", o.ssoStartTest)
	org("GET", "/sso/{conn}/test", o.ssoTestResult)
}

// ssoListView is what sso.html shows: the org's connections and the setups to start one.
type ssoListView struct {
	base
	Connections []ssoRow
	Presets     []ssoPreset
}

// ssoRow is one connection in the list.
type ssoRow struct {
	ID, Name, Protocol, Product, Status, StatusClass, Certificate string
	Warnings                                                      int
}

// ssoList shows the org's connections.
func (o *Options) ssoList(w http.ResponseWriter, r *http.Request, v *visit) error {
	list, err := o.SSO.List(r.Context(), v.actor, v.org.ID)
	if err != nil {
		return err
	}
	view := ssoListView{base: v.base(), Presets: ssoPresets}
	for _, c := range list {
		status, class := connectionStatus(c)
		view.Connections = append(view.Connections, ssoRow{ID: c.ID, Name: c.Name, Protocol: strings.ToUpper(c.Protocol),
			Product: presetOf(c).Title, Status: status, StatusClass: class, Certificate: soonestExpiry(c), Warnings: len(c.Warnings)})
	}
	return o.render(w, r, http.StatusOK, v.frame("Single sign-on", "/sso"), "sso.html", view)
}

// connectionStatus words whether people sign in through c, with its badge's class.
func connectionStatus(c sso.Connection) (string, string) {
	switch {
	case c.Enabled:
		return "on", "owner"
	case !c.Configured:
		return "waiting for the IdP", "pending"
	}
	return "off", "suspended"
}

// soonestExpiry is the date the first of c's IdP certificates expires, or "".
func soonestExpiry(c sso.Connection) string {
	if c.SAML == nil {
		return ""
	}
	var first time.Time
	for _, cert := range c.SAML.IDPCertificateStatus {
		if first.IsZero() || cert.NotAfter.Before(first) {
			first = cert.NotAfter
		}
	}
	if first.IsZero() {
		return ""
	}
	return date(first)
}

// ssoNewView is what sso_new.html shows: the chosen setup, or the choice.
type ssoNewView struct {
	base
	Preset  *ssoPreset
	Presets []ssoPreset
	Name    string
}

// ssoNew shows the first step of a setup: choose the identity provider, then name the connection.
func (o *Options) ssoNew(w http.ResponseWriter, r *http.Request, v *visit) error {
	view := ssoNewView{base: v.base(), Presets: ssoPresets}
	title := "Add a single sign-on connection"
	if p, ok := presetFor(r.URL.Query().Get("idp")); ok {
		view.Preset, view.Name, title = &p, p.Name, "Connect "+p.Title
	}
	return o.render(w, r, http.StatusOK, v.frame(title, "/sso"), "sso_new.html", view)
}

// ssoCreate saves a new connection turned off, with the chosen setup's attribute mapping, and
// opens its page: the values to enter at the IdP come first, the IdP's own settings next.
func (o *Options) ssoCreate(w http.ResponseWriter, r *http.Request, v *visit) error {
	p, ok := presetFor(r.PostForm.Get("idp"))
	if !ok {
		redirectWithAlert(w, r, v.path("/sso/new"), "Choose your identity provider first.", o.SecureCookies)
		return nil
	}
	name, off, idp, mapping := strings.TrimSpace(r.PostForm.Get("name")), false, p.IdP, p.Mapping
	in := sso.ConnectionInput{Protocol: p.Protocol, Name: &name, Enabled: &off, IdP: &idp, Mapping: &mapping}
	if p.Scopes != nil {
		in.Scopes = &p.Scopes
	}
	c, err := o.SSO.Create(r.Context(), v.actor, v.org.ID, in)
	if err != nil && httperr.StatusOf(err) >= 500 {
		return err
	}
	if err != nil {
		view := ssoNewView{base: v.base(), Presets: ssoPresets, Preset: &p, Name: name}
		page := v.frame("Connect "+p.Title, "/sso")
		page.Alert = refusal(err)
		return o.render(w, r, httperr.StatusOf(err), page, "sso_new.html", view)
	}
	redirectWithNotice(w, r, v.path("/sso/"+c.ID), "Created "+c.Name+", turned off for now. Follow the steps below.", o.SecureCookies)
	return nil
}

// ssoDone answers a connection's form: back to its page with notice, or with the refusal.
func (o *Options) ssoDone(w http.ResponseWriter, r *http.Request, v *visit, id, notice string, err error) error {
	to := v.path("/sso/" + id)
	switch {
	case err != nil && httperr.StatusOf(err) >= 500:
		return err
	case provisioning.IsCode(err, provisioning.CodeNotFound):
		redirectWithAlert(w, r, v.path("/sso"), refusal(err), o.SecureCookies)
	case err != nil:
		redirectWithAlert(w, r, to, refusal(err), o.SecureCookies)
	default:
		redirectWithNotice(w, r, to, notice, o.SecureCookies)
	}
	return nil
}
