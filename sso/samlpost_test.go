package sso_test

import (
	"encoding/xml"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/crewjam/saml"
)

// TestSAMLPostBinding: an IdP that takes AuthnRequests only by HTTP-POST gets them through a
// page in the shared frame whose form posts to the IdP (the page's policy lets forms post to
// that origin besides this site), submitted by script or by the person; the sign-in completes.
func TestSAMLPostBinding(t *testing.T) {
	e := newEnv(t, onSQLite)
	idp := newSAMLIdP(t, e.h.Clock)
	md := idp.idp.IDP.Metadata()
	d := &md.IDPSSODescriptors[0]
	d.SingleSignOnServices = slices.DeleteFunc(d.SingleSignOnServices, func(s saml.Endpoint) bool { return s.Binding != saml.HTTPPostBinding })
	raw, err := xml.Marshal(md)
	if err != nil {
		t.Fatal(err)
	}
	conn := e.connection(map[string]any{"protocol": "saml", "name": "Post IdP", "idpMetadataXml": string(raw)})
	idp.register(conn, true)
	idp.setUser(idpUser{name: "alice", email: "alice@example.com", first: "Alice", last: "Doe"})

	b := newBrowser(t)
	p := b.get(conn.SignInURL)
	f := p.form(t)
	if p.status != http.StatusOK || f.method != "POST" || f.action.String() != idp.srv.URL+"/sso" ||
		f.fields.Get("SAMLRequest") == "" || !strings.HasPrefix(f.fields.Get("RelayState"), "rcf_") {
		t.Fatalf("POST binding page: %d %+v\n%s", p.status, f, p.body)
	}
	if !strings.Contains(p.body, `id="rollcall-frame"`) || !strings.Contains(p.body, `rel="stylesheet" href="/assets/rollcall.css?v=`) ||
		!strings.Contains(p.body, "data-autosubmit") || !strings.Contains(p.body, `<script src="/assets/autosubmit.js?v=`) {
		t.Fatalf("POST binding page outside the frame:\n%s", p.body)
	}
	csp := p.header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "form-action 'self' "+idp.srv.URL) || strings.Contains(csp, "unsafe-inline") || p.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("POST binding page headers: %v", p.header)
	}

	login := b.submit(f, nil)
	if lp := b.submit(login.form(t), map[string]string{"user": "alice", "password": idpPassword}); lp.status != http.StatusOK {
		t.Fatalf("IdP login: %d %s", lp.status, lp.body)
	}
	resp := b.submit(f, nil).form(t)
	if resp.fields.Get("SAMLResponse") == "" {
		t.Fatalf("the IdP did not answer the posted request: %+v", resp)
	}
	if landing := b.submit(resp, nil); landing.url.Path != "/" || landing.body != "console home" {
		t.Fatalf("POST binding sign-in landed on %s (%d): %s", landing.url, landing.status, landing.body)
	}
}
