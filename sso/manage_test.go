package sso_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/sso"
)

func TestConnectionAPI(t *testing.T) {
	e := newEnv(t, onSQLite)
	owner := e.token(e.acme.Org.ID, "owner2@acme.com", provisioning.RoleOwner)
	admin := e.token(e.acme.Org.ID, "admin@acme.com", provisioning.RoleAdmin)
	member := e.token(e.acme.Org.ID, "member@acme.com", provisioning.RoleMember)
	rival := e.h.CreateOrg("rival", 5, "owner@rival.com")
	rivalOwner := e.token(rival.Org.ID, "owner2@rival.com", provisioning.RoleOwner)
	const secret = "client-secret-must-never-show"
	oidcIn := map[string]any{"protocol": "oidc", "name": "Okta", "issuer": newTestOP(t).srv.URL,
		"clientId": "abc", "clientSecret": secret, "redirectUris": []string{"https://app.example/cb"}}

	if res := e.call(member, "GET", "/orgs/acme/sso/connections", nil); res.Status != http.StatusForbidden {
		t.Fatalf("member lists connections: %d", res.Status)
	}
	if res := e.call(member, "POST", "/orgs/acme/sso/connections", oidcIn); res.Status != http.StatusForbidden {
		t.Fatalf("member creates a connection: %d", res.Status)
	}
	res := e.call(admin, "POST", "/orgs/acme/sso/connections", oidcIn)
	if res.Status != http.StatusCreated || bytes.Contains(res.Raw, []byte(secret)) {
		t.Fatalf("admin creates: %d %s", res.Status, res.Raw)
	}
	c := decode[struct{ Connection sso.Connection }](t, res.Raw).Connection
	if !c.OIDC.HasClientSecret || !c.JIT || c.OIDC.RedirectURL != e.srv.URL+"/sso/oidc/"+c.ID+"/callback" ||
		strings.Join(c.OIDC.Scopes, " ") != "openid email profile" {
		t.Fatalf("created: %+v %+v", c, c.OIDC)
	}
	e.h.Tx(func(tx provisioning.StoreTx) error {
		row, err := tx.GetSSOConnection(e.h.Ctx, c.ID)
		if err != nil || len(row.Secret) == 0 || bytes.Contains(row.Secret, []byte(secret)) || bytes.Contains(row.Config, []byte(secret)) {
			t.Fatalf("the client secret is not sealed at rest: %v", err)
		}
		return nil
	})
	for _, a := range e.audits("sso.connection_created") {
		if strings.Contains(string(a.After), secret) {
			t.Fatal("the audit log holds the client secret")
		}
	}

	path := "/orgs/acme/sso/connections/" + c.ID
	for _, in := range []map[string]any{{"defaultRole": "admin"}, {"groupRoles": []map[string]any{{"group": "it", "role": "admin"}}}} {
		if res := e.call(admin, "PATCH", path, in); res.Status != http.StatusForbidden {
			t.Fatalf("admin sets %v: %d %s", in, res.Status, res.Raw)
		}
	}
	if res := e.call(owner, "PATCH", path, map[string]any{"trustEmails": true}); res.Status != http.StatusBadRequest || !strings.Contains(string(res.Raw), "verify the domain") {
		t.Fatalf("trustEmails is gone: %d %s", res.Status, res.Raw)
	}
	if res := e.call(owner, "PATCH", path, map[string]any{"defaultRole": "admin", "name": "Okta prod"}); res.Status != http.StatusOK {
		t.Fatalf("owner sets defaultRole admin: %d %s", res.Status, res.Raw)
	}
	if res := e.call(admin, "PATCH", path, map[string]any{"name": "renamed"}); res.Status != http.StatusForbidden {
		t.Fatalf("admin edits a connection that grants admin: %d", res.Status)
	}
	if res := e.call(rivalOwner, "GET", path, nil); res.Status != http.StatusForbidden {
		t.Fatalf("another org's owner reads acme's connection: %d", res.Status)
	}
	if res := e.call(rivalOwner, "GET", "/orgs/rival/sso/connections/"+c.ID, nil); res.Status != http.StatusNotFound {
		t.Fatalf("acme's connection under rival's path: %d", res.Status)
	}
	if res := e.call(owner, "DELETE", path, nil); res.Status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", res.Status, res.Raw)
	}
	if res := e.call(owner, "GET", path, nil); res.Status != http.StatusNotFound {
		t.Fatalf("after delete: %d", res.Status)
	}
	if n := len(e.audits("sso.connection_updated")) + len(e.audits("sso.connection_deleted")); n != 2 {
		t.Fatalf("%d update/delete audit events, want 2", n)
	}
	if p := newBrowser(t).get(e.srv.URL + "/sso/start?connection=" + c.ID); p.status != http.StatusNotFound {
		t.Fatalf("sign-in through a deleted connection: %d %s", p.status, p.message())
	}
}

func TestConnectionBadInput(t *testing.T) {
	e := newEnv(t, onSQLite)
	idp := newSAMLIdP(t, e.h.Clock)
	cases := []struct {
		name  string
		in    map[string]any
		field string
	}{
		{"no protocol", map[string]any{"issuer": "https://x.example"}, "protocol"},
		{"unknown protocol", map[string]any{"protocol": "ldap"}, "protocol"},
		{"oidc without issuer", map[string]any{"protocol": "oidc", "clientId": "a"}, "issuer"},
		{"oidc without client", map[string]any{"protocol": "oidc", "issuer": "https://x.example"}, "clientId"},
		{"plain http issuer", map[string]any{"protocol": "oidc", "issuer": "http://idp.example", "clientId": "a"}, "issuer"},
		{"saml fields on oidc", map[string]any{"protocol": "oidc", "issuer": "https://x.example", "clientId": "a", "idpMetadataUrl": idp.metadataURL()}, "protocol"},
		{"saml without idp", map[string]any{"protocol": "saml"}, "idpMetadataUrl"},
		{"two idp sources", map[string]any{"protocol": "saml", "idpMetadataUrl": idp.metadataURL(), "idpMetadataXml": "<x/>"}, "idpMetadataUrl"},
		{"metadata with doctype", map[string]any{"protocol": "saml", "idpMetadataXml": `<!DOCTYPE x [<!ENTITY a "b">]><EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"/>`}, "idpMetadataXml"},
		{"metadata that is not saml", map[string]any{"protocol": "saml", "idpMetadataXml": "<html/>"}, "idpMetadataXml"},
		{"metadata url answering 404", map[string]any{"protocol": "saml", "idpMetadataUrl": idp.srv.URL + "/nothing"}, "idpMetadataUrl"},
		{"manual without certificate", map[string]any{"protocol": "saml", "idpEntityId": "x", "idpSsoUrl": "https://idp.example/sso"}, "idpCertificate"},
		{"manual with a bad certificate", map[string]any{"protocol": "saml", "idpEntityId": "x", "idpSsoUrl": "https://idp.example/sso", "idpCertificate": "not a cert"}, "idpCertificate"},
		{"owner as default role", map[string]any{"protocol": "oidc", "issuer": "https://x.example", "clientId": "a", "defaultRole": "owner"}, "defaultRole"},
		{"owner in a group rule", map[string]any{"protocol": "oidc", "issuer": "https://x.example", "clientId": "a", "groupRoles": []map[string]any{{"group": "g", "role": "owner"}}}, "groupRoles"},
		{"redirect uri with fragment", map[string]any{"protocol": "oidc", "issuer": "https://x.example", "clientId": "a", "redirectUris": []string{"https://app.example/cb#x"}}, "redirectUris"},
		{"relative redirect uri", map[string]any{"protocol": "oidc", "issuer": "https://x.example", "clientId": "a", "redirectUris": []string{"/cb"}}, "redirectUris"},
		{"unknown field", map[string]any{"protocol": "oidc", "issuer": "https://x.example", "clientId": "a", "clientSecrett": "x"}, "clientSecrett"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := e.call(e.op, "POST", "/orgs/acme/sso/connections", c.in)
			got, _ := res.Body["error"].(map[string]any)
			if res.Status != http.StatusBadRequest || got["field"] != c.field {
				t.Fatalf("got %d %s, want 400 on %s", res.Status, res.Raw, c.field)
			}
		})
	}
	if n := e.count("SELECT COUNT(*) FROM sso_connections"); n != 0 {
		t.Fatalf("bad input stored %d connections", n)
	}
}

// TestManualSAMLConnection: entity ID + SSO URL + certificate instead of metadata.
func TestManualSAMLConnection(t *testing.T) {
	e := newEnv(t, onSQLite)
	idp := newSAMLIdP(t, e.h.Clock)
	conn := e.connection(map[string]any{"protocol": "saml", "idpEntityId": idp.metadataURL(),
		"idpSsoUrl": idp.srv.URL + "/sso", "idpCertificate": string(pemCert(idp.cert))})
	idp.register(conn, true)
	idp.setUser(idpUser{name: "alice", email: "alice@acme.com"})
	if len(conn.SAML.IDPCertificates) != 1 || conn.SAML.IDPSSOURL != idp.srv.URL+"/sso" || conn.SAML.IDPEntityID != idp.metadataURL() {
		t.Fatalf("manual connection: %+v", conn.SAML)
	}
	s := &samlEnv{env: e, idp: idp, conn: conn}
	if p, _ := s.signIn("alice"); p.url.Path != "/" {
		t.Fatalf("sign-in with a manual connection: %d %s", p.status, p.message())
	}
}
