package sso_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/rollcall/rollcall/sso/ssotest"
)

// TestOIDCSettingsCheckedWhenSaved: a new issuer or client id is checked against the issuer's
// discovery document when the connection is saved; what is wrong is a 400 on the issuer field
// naming it, and nothing is stored.
func TestOIDCSettingsCheckedWhenSaved(t *testing.T) {
	e := newEnv(t, onSQLite)
	op := newTestOP(t)
	noKeys := ssotest.DiscoveryStub(t, func(doc map[string]any) { delete(doc, "jwks_uri"); delete(doc, "token_endpoint") })
	plainKeys := ssotest.DiscoveryStub(t, func(doc map[string]any) { doc["jwks_uri"] = "ftp://keys.example/jwks" })
	cases := []struct {
		name, issuer string
		want         []string
	}{
		{"trailing slash", op.srv.URL + "/", []string{"names a different issuer than " + op.srv.URL + "/", "differ only in a trailing slash"}},
		{"another path", op.srv.URL + "/tenant", []string{"Rollcall could not fetch the OpenID Provider's discovery document from " + op.srv.URL + "/tenant/.well-known/openid-configuration."}},
		{"missing endpoints", noKeys, []string{"has no token_endpoint, jwks_uri"}},
		{"keys not at an https URL", plainKeys, []string{"gives a jwks_uri that is not an absolute https URL"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := e.call(e.op, "POST", "/orgs/acme/sso/connections", map[string]any{"protocol": "oidc", "issuer": c.issuer, "clientId": opClientID})
			expectInvalid(t, res, "issuer", c.want...)
		})
	}
	if n := e.count("SELECT COUNT(*) FROM sso_connections"); n != 0 {
		t.Fatalf("refused settings stored %d connections", n)
	}

	conn := e.connection(map[string]any{"protocol": "oidc", "issuer": op.srv.URL, "clientId": opClientID})
	path := "/orgs/acme/sso/connections/" + conn.ID
	res := e.call(e.op, "PATCH", path, map[string]any{"issuer": op.srv.URL + "/"})
	expectInvalid(t, res, "issuer", "trailing slash")
	op.srv.Close()
	res = e.call(e.op, "PATCH", path, map[string]any{"clientId": "another"})
	expectInvalid(t, res, "issuer", "Rollcall could not fetch the OpenID Provider's discovery document")
	if res := e.call(e.op, "PATCH", path, map[string]any{"name": "Renamed", "scopes": []string{"email"}}); res.Status != http.StatusOK {
		t.Fatalf("a change that leaves issuer and client alone needs no discovery: %d %s", res.Status, res.Raw)
	}
	if res := e.call(e.op, "GET", path, nil); !strings.Contains(string(res.Raw), `"issuer": "`+op.srv.URL+`"`) ||
		!strings.Contains(string(res.Raw), `"clientId": "`+opClientID+`"`) {
		t.Fatalf("refused updates changed the connection: %s", res.Raw)
	}
}

// expectInvalid requires a 400 invalid on field whose message contains every want.
func expectInvalid(t *testing.T, res apiResponse, field string, want ...string) {
	t.Helper()
	got, _ := res.Body["error"].(map[string]any)
	msg, _ := got["message"].(string)
	if res.Status != http.StatusBadRequest || got["code"] != "invalid" || got["field"] != field {
		t.Fatalf("got %d %s, want 400 invalid on %s", res.Status, res.Raw, field)
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Fatalf("message %q lacks %q", msg, w)
		}
	}
}
