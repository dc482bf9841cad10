// Package ssotest holds test helpers for code that saves SSO connections.
package ssotest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// DiscoveryStub serves an OIDC discovery document on loopback, naming its own URL as the
// issuer, with fields removed or changed by edit (nil keeps them), and returns its issuer:
// saving an OIDC connection reads it (the SSO service must allow private fetches). It serves no
// tokens: tests that sign people in use a real OpenID Provider.
func DiscoveryStub(t testing.TB, edit func(doc map[string]any)) string {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/.well-known/openid-configuration" {
			http.NotFound(w, r)
			return
		}
		doc := map[string]any{"issuer": srv.URL, "authorization_endpoint": srv.URL + "/authorize",
			"token_endpoint": srv.URL + "/token", "jwks_uri": srv.URL + "/keys", "response_types_supported": []string{"code"},
			"subject_types_supported": []string{"public"}, "id_token_signing_alg_values_supported": []string{"RS256"}}
		if edit != nil {
			edit(doc)
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(doc)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
