package web

import (
	"io"
	"net/http"
	"strings"

	"github.com/rollcall/rollcall/httperr"
	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/sso"
)

// maxMetadataFile bounds an uploaded IdP metadata file, as the SSO service bounds metadata.
const maxMetadataFile = 1 << 20

// ssoSaveIdP saves the IdP's side: SAML metadata by URL or uploaded file; OIDC issuer, client
// id, scopes and a new client secret (an empty secret field keeps the saved one). A refusal
// shows the page again with the values sent and the reason.
func (o *Options) ssoSaveIdP(w http.ResponseWriter, r *http.Request, v *visit) error {
	ctx, id := r.Context(), r.PathValue("conn")
	c, err := o.SSO.Get(ctx, v.actor, v.org.ID, id)
	if err != nil {
		return o.ssoDone(w, r, v, id, "", err)
	}
	var in sso.ConnectionInput
	if c.Protocol == sso.ProtocolSAML {
		err = samlSource(r, &in)
	} else {
		oidcFields(r, &in)
	}
	if err == nil && in == (sso.ConnectionInput{}) {
		return o.ssoDone(w, r, v, id, "Nothing changed.", nil)
	}
	if err == nil {
		_, err = o.SSO.Update(ctx, v.actor, v.org.ID, id, in)
	}
	if err != nil && httperr.StatusOf(err) < 500 && !provisioning.IsCode(err, provisioning.CodeNotFound) {
		return o.ssoPage(w, r, v, c, httperr.StatusOf(err), refusal(err), r.PostForm)
	}
	return o.ssoDone(w, r, v, id, "Saved the identity provider's settings.", err)
}

// samlSource reads the IdP metadata: an uploaded file, else a URL (fetched when saved).
func samlSource(r *http.Request, in *sso.ConnectionInput) error {
	if r.MultipartForm != nil {
		if files := r.MultipartForm.File["metadata_file"]; len(files) > 0 && files[0].Size > 0 {
			if files[0].Size > maxMetadataFile {
				return provisioning.Invalidf("metadata_file", "the metadata file is larger than 1 MB")
			}
			f, err := files[0].Open()
			if err != nil {
				return provisioning.Invalidf("metadata_file", "the metadata file could not be read: choose it again")
			}
			defer f.Close()
			raw, err := io.ReadAll(io.LimitReader(f, maxMetadataFile+1))
			if err != nil {
				return provisioning.Invalidf("metadata_file", "the metadata file could not be read: choose it again")
			}
			xml := string(raw)
			in.IDPMetadataXML = &xml
			return nil
		}
	}
	if u, changed := changed(r.PostForm, "metadata_url", false); changed || (u != "" && r.PostForm.Get("refetch") == "on") {
		if u == "" {
			return provisioning.Invalidf("metadata_url", "give the metadata URL, or choose the metadata file")
		}
		in.IDPMetadataURL = &u
	}
	return nil
}

// oidcFields reads the OIDC settings that changed, and a new client secret.
func oidcFields(r *http.Request, in *sso.ConnectionInput) {
	f := r.PostForm
	if s, ok := changed(f, "issuer", false); ok {
		in.Issuer = &s
	}
	if s, ok := changed(f, "client_id", false); ok {
		in.ClientID = &s
	}
	if s, ok := changed(f, "scopes", false); ok {
		scopes := strings.Fields(s)
		in.Scopes = &scopes
	}
	if s := strings.TrimSpace(f.Get("client_secret")); s != "" {
		in.ClientSecret = &s
	}
}

// ssoSaveSettings saves who gets in and with which role: the name, the attribute mapping, the
// group rules, the default role and JIT. Only the fields changed on the page are sent.
func (o *Options) ssoSaveSettings(w http.ResponseWriter, r *http.Request, v *visit) error {
	ctx, id := r.Context(), r.PathValue("conn")
	in, err := settingsInput(r)
	if err == nil && in == (sso.ConnectionInput{}) {
		return o.ssoDone(w, r, v, id, "Nothing changed.", nil)
	}
	var c sso.Connection
	if err == nil {
		c, err = o.SSO.Update(ctx, v.actor, v.org.ID, id, in)
	}
	if err != nil && httperr.StatusOf(err) < 500 && !provisioning.IsCode(err, provisioning.CodeNotFound) {
		if c, gerr := o.SSO.Get(ctx, v.actor, v.org.ID, id); gerr == nil {
			return o.ssoPage(w, r, v, c, httperr.StatusOf(err), refusal(err), r.PostForm)
		}
	}
	return o.ssoDone(w, r, v, id, "Saved "+c.Name+"'s sign-in settings.", err)
}

func settingsInput(r *http.Request) (sso.ConnectionInput, error) {
	f := r.PostForm
	var in sso.ConnectionInput
	if s, ok := changed(f, "name", false); ok {
		in.Name = &s
	}
	m := sso.Mapping{}
	touched := false
	for _, field := range []struct {
		name string
		dst  *string
	}{{"map_email", &m.Email}, {"map_first", &m.FirstName}, {"map_last", &m.LastName}, {"map_groups", &m.Groups}} {
		s, ok := changed(f, field.name, false)
		*field.dst, touched = s, touched || ok
	}
	if touched {
		in.Mapping = &m
	}
	if s, ok := changed(f, "rules", false); ok {
		rules, err := parseRules(s)
		if err != nil {
			return in, err
		}
		in.GroupRoles = &rules
	}
	if s, ok := changed(f, "default_role", false); ok {
		role := provisioning.Role(s)
		in.DefaultRole = &role
	}
	// An unticked checkbox sends nothing: only a form that showed it (was_jit) changes it.
	if s, ok := changed(f, "jit", true); ok && f.Has("was_jit") {
		on := s == "true"
		in.JIT = &on
	}
	return in, nil
}

// ssoSwitch turns a connection on or off.
func (o *Options) ssoSwitch(on bool) orgHandler {
	return func(w http.ResponseWriter, r *http.Request, v *visit) error {
		id := r.PathValue("conn")
		c, err := o.SSO.Update(r.Context(), v.actor, v.org.ID, id, sso.ConnectionInput{Enabled: &on})
		notice := "Turned " + c.Name + " off: nobody signs in through it until it is turned on again."
		if on {
			notice = "Turned " + c.Name + " on: people at " + v.org.Name + " can sign in through it."
		}
		return o.ssoDone(w, r, v, id, notice, err)
	}
}

// ssoDeleteView is what sso_delete.html asks before a connection is deleted.
type ssoDeleteView struct {
	base
	C sso.Connection
}

// ssoDelete deletes a connection once confirmed: the page first says what deleting does.
func (o *Options) ssoDelete(w http.ResponseWriter, r *http.Request, v *visit) error {
	ctx, id := r.Context(), r.PathValue("conn")
	c, err := o.SSO.Get(ctx, v.actor, v.org.ID, id)
	if err != nil {
		return o.ssoDone(w, r, v, id, "", err)
	}
	if !confirmed(r) {
		return o.render(w, r, http.StatusOK, v.frame("Delete "+c.Name+"?", "/sso"), "sso_delete.html", ssoDeleteView{base: v.base(), C: c})
	}
	if err := o.SSO.Delete(ctx, v.actor, v.org.ID, id); err != nil {
		return o.ssoDone(w, r, v, id, "", err)
	}
	redirectWithNotice(w, r, v.path("/sso"), "Deleted "+c.Name+". The people who joined through it stay members.", o.SecureCookies)
	return nil
}

// ssoStartTest starts a test sign-in: the SSO service sends the browser to the IdP, which
// comes back to the test's result page.
func (o *Options) ssoStartTest(w http.ResponseWriter, r *http.Request, v *visit) error {
	id := r.PathValue("conn")
	err := o.SSO.StartTest(w, r, v.actor, v.org.ID, id, v.path("/sso/"+id+"/test"))
	if err != nil {
		return o.ssoDone(w, r, v, id, "", err)
	}
	return nil
}

// ssoTestView is what sso_test.html shows of a test sign-in.
type ssoTestView struct {
	base
	C      sso.Connection
	T      sso.TestResult
	Preset ssoPreset
	At     string
}

// ssoTestResult shows a test's result to the admin who ran it.
func (o *Options) ssoTestResult(w http.ResponseWriter, r *http.Request, v *visit) error {
	ctx, id := r.Context(), r.PathValue("conn")
	c, err := o.SSO.Get(ctx, v.actor, v.org.ID, id)
	if err != nil {
		return err
	}
	t, err := o.SSO.GetTest(ctx, v.actor, v.org.ID, id, r.URL.Query().Get("test"))
	if err != nil {
		return err
	}
	p := v.frame("Test sign-in: "+c.Name, "/sso")
	p.FormTargets = []string{"https:"}
	return o.render(w, r, http.StatusOK, p, "sso_test.html", ssoTestView{base: v.base(), C: c, T: t, Preset: presetOf(c), At: dateTime(t.At)})
}
