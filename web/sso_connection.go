package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/sso"
)

// ssoConnectionView is what sso_connection.html shows: the connection's state, the values to
// enter at the IdP with copy buttons and the IdP's steps, the IdP's side (metadata and its
// certificates, or issuer and client), who gets in with which role, the test, the switch.
type ssoConnectionView struct {
	base
	C                   sso.Connection
	Preset              ssoPreset
	Status, StatusClass string
	// SAML is set for a SAML connection, OIDC for an OIDC one.
	SAML, OIDC bool
	Values     []copyValue
	SignIn     copyValue
	Certs      []certRow
	Refresh    *refreshRow
	// Saved are the saved values (the forms' was_ fields), Form what the fields show.
	Saved, Form ssoForm
	Roles       []option
	// Defaults are the names an empty mapping field reads, for its placeholder.
	Defaults placeholders
	Created  string
	// SecretSaved says a client secret is stored (it is never shown again).
	SecretSaved bool
}

// placeholders are the mapping fields' default names, comma-separated.
type placeholders struct{ Email, FirstName, LastName, Groups string }

func placeholdersOf(d sso.MappingDefaults) placeholders {
	j := func(s []string) string { return strings.Join(s, ", ") }
	return placeholders{Email: j(d.Email), FirstName: j(d.FirstName), LastName: j(d.LastName), Groups: j(d.Groups)}
}

// copyValue is a value to copy, with the element id its copy button names.
type copyValue struct{ ID, Label, Value string }

// certRow is one IdP signing certificate with its expiry in words.
type certRow struct{ Subject, Fingerprint, Expires, State, Class string }

// refreshRow is when a metadata URL was fetched, will be next, and why the last fetch failed.
type refreshRow struct{ URL, Checked, Next, Error string }

// ssoForm holds what the connection's forms show: the saved values, or those just refused.
type ssoForm struct {
	MetadataURL, Issuer, ClientID, Scopes                        string
	Name, Email, FirstName, LastName, Groups, Rules, DefaultRole string
	JIT                                                          bool
}

// ssoConnection shows one connection's setup page.
func (o *Options) ssoConnection(w http.ResponseWriter, r *http.Request, v *visit) error {
	c, err := o.SSO.Get(r.Context(), v.actor, v.org.ID, r.PathValue("conn"))
	if err != nil {
		return err
	}
	return o.ssoPage(w, r, v, c, http.StatusOK, "", nil)
}

// ssoPage renders the connection page with status and an alert; posted, when set, are the
// values of a refused form, shown again instead of the saved ones.
func (o *Options) ssoPage(w http.ResponseWriter, r *http.Request, v *visit, c sso.Connection, status int, alert string, posted url.Values) error {
	view := o.ssoView(v, c)
	if posted != nil {
		view.Form = postedForm(view.Form, posted)
	}
	p := v.frame(c.Name, "/sso")
	if alert != "" {
		p.Alert = alert
	}
	// "Test sign-in" answers with a redirect to the IdP, which browsers check against the
	// form-action of this page.
	p.FormTargets = []string{"https:"}
	if c.SAML != nil && c.SAML.IDPSSOURL != "" {
		p.FormTargets = append(p.FormTargets, c.SAML.IDPSSOURL)
	}
	if c.OIDC != nil && c.OIDC.Issuer != "" {
		p.FormTargets = append(p.FormTargets, c.OIDC.Issuer)
	}
	return o.render(w, r, status, p, "sso_connection.html", view)
}

func (o *Options) ssoView(v *visit, c sso.Connection) ssoConnectionView {
	preset := presetOf(c)
	view := ssoConnectionView{base: v.base(), C: c, Preset: preset, SAML: c.SAML != nil, OIDC: c.OIDC != nil,
		SignIn:   copyValue{ID: "sign-in-url", Label: "Sign-in link for your people", Value: c.SignInURL},
		Defaults: placeholdersOf(sso.DefaultNames(c.Protocol)), Saved: savedForm(c), Created: dateTime(c.CreatedAt)}
	view.Form = view.Saved
	view.Status, view.StatusClass = connectionStatus(c)
	view.Roles = options([][2]string{{"", "The organization's default role (" + string(settingsOf(v.org).DefaultRole) + ")"},
		{"admin", "Admin (set by owners only)"}, {"member", "Member"}, {"viewer", "Viewer (no seat)"}}, string(c.DefaultRole))
	label := func(key, fallback string) string {
		if l := preset.Labels[key]; l != "" {
			return l
		}
		return fallback
	}
	if s := c.SAML; s != nil {
		view.Values = []copyValue{{"acs-url", label("acs", "ACS URL"), s.ACSURL}, {"sp-entity-id", label("entity", "SP entity ID"), s.SPEntityID},
			{"sp-metadata-url", label("metadata", "SP metadata URL"), s.MetadataURL}}
		view.Certs = certRows(s.IDPCertificateStatus, o.Service.Now())
		if s.IDPMetadataURL != "" {
			view.Refresh = &refreshRow{URL: s.IDPMetadataURL, Checked: "when the connection was saved", Error: s.MetadataError}
			if s.MetadataCheckedAt != nil {
				view.Refresh.Checked = dateTime(*s.MetadataCheckedAt)
			}
			if s.MetadataNextCheckAt != nil {
				view.Refresh.Next = dateTime(*s.MetadataNextCheckAt)
			}
		}
	}
	if oc := c.OIDC; oc != nil {
		view.Values = []copyValue{{"redirect-uri", label("redirect", "Redirect URI"), oc.RedirectURL}}
		view.SecretSaved = oc.HasClientSecret
	}
	return view
}

// certRows words the IdP's certificates' expiry: expired, expiring within 30 days, valid.
func certRows(certs []sso.CertificateStatus, now time.Time) []certRow {
	var out []certRow
	for _, c := range certs {
		row := certRow{Subject: c.Subject, Fingerprint: shortPrint(c.FingerprintSHA256), Expires: date(c.NotAfter), State: "valid", Class: "owner"}
		switch {
		case !now.Before(c.NotAfter):
			row.State, row.Class = "expired", "removed"
		case c.NotAfter.Before(now.Add(30 * 24 * time.Hour)):
			row.State, row.Class = "expires soon", "pending"
		}
		out = append(out, row)
	}
	return out
}

func shortPrint(fp string) string {
	fp = strings.ToLower(fp)
	if len(fp) > 16 {
		return fp[:16] + "…"
	}
	return fp
}

// savedForm is the forms' values from the saved connection.
func savedForm(c sso.Connection) ssoForm {
	f := ssoForm{Name: c.Name, Email: c.Mapping.Email, FirstName: c.Mapping.FirstName, LastName: c.Mapping.LastName,
		Groups: c.Mapping.Groups, Rules: formatRules(c.GroupRoles), DefaultRole: string(c.DefaultRole), JIT: c.JIT}
	if c.SAML != nil {
		f.MetadataURL = c.SAML.IDPMetadataURL
	}
	if c.OIDC != nil {
		f.Issuer, f.ClientID = c.OIDC.Issuer, c.OIDC.ClientID
		f.Scopes = strings.Join(withoutOpenID(c.OIDC.Scopes), " ")
	}
	return f
}

// postedForm is f with the fields a refused form sent.
func postedForm(f ssoForm, posted url.Values) ssoForm {
	for name, dst := range map[string]*string{"metadata_url": &f.MetadataURL, "issuer": &f.Issuer, "client_id": &f.ClientID,
		"scopes": &f.Scopes, "name": &f.Name, "map_email": &f.Email, "map_first": &f.FirstName, "map_last": &f.LastName,
		"map_groups": &f.Groups, "rules": &f.Rules, "default_role": &f.DefaultRole} {
		if vals, ok := posted[name]; ok && len(vals) > 0 {
			*dst = clean(vals[0])
		}
	}
	if _, ok := posted["was_jit"]; ok {
		f.JIT = posted.Get("jit") == "on"
	}
	return f
}

func withoutOpenID(scopes []string) []string {
	var out []string
	for _, s := range scopes {
		if s != "openid" {
			out = append(out, s)
		}
	}
	return out
}

// formatRules writes group rules one per line, as the rules field takes them.
func formatRules(rules []sso.GroupRole) string {
	lines := make([]string, 0, len(rules))
	for _, r := range rules {
		lines = append(lines, r.Group+" = "+string(r.Role))
	}
	return strings.Join(lines, "\n")
}

// parseRules reads the rules field: one "group = role" per line, blank lines skipped.
func parseRules(text string) ([]sso.GroupRole, error) {
	rules := []sso.GroupRole{}
	for i, line := range strings.Split(clean(text), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		at := strings.LastIndex(line, "=")
		if at < 0 {
			return nil, provisioning.Invalidf("rules", "group rule on line %d: write it as Group name = role (admin, member or viewer)", i+1)
		}
		role := provisioning.Role(strings.ToLower(strings.TrimSpace(line[at+1:])))
		rules = append(rules, sso.GroupRole{Group: strings.TrimSpace(line[:at]), Role: role})
	}
	return rules, nil
}
