package sso_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/session"
	"github.com/rollcall/rollcall/sso"
)

// token makes an API token for a new member of org with role.
func (e *env) token(orgID, email string, role provisioning.Role) string {
	e.t.Helper()
	m := e.h.MustJoin(orgID, email, provisioning.EntranceManual, role)
	tok, err := e.h.Service.CreateToken(e.h.Ctx, e.h.MemberActor(m.Membership), orgID, "app", provisioning.TokenLimits{})
	if err != nil {
		e.t.Fatal(err)
	}
	return tok.Secret
}

// appSignIn signs username in for the app and returns the code from the app's callback.
func (s *oidcEnv) appSignIn(username, appState string) (string, *browser) {
	s.t.Helper()
	b := newBrowser(s.t)
	start := s.conn.SignInURL + "&redirect_uri=" + url.QueryEscape(s.srv.URL+"/app/callback") + "&state=" + url.QueryEscape(appState)
	landing := s.op.signIn(b, start, username)
	if landing.url.Path != "/app/callback" || landing.url.Query().Get("state") != appState {
		s.t.Fatalf("app sign-in landed on %s (%d): %s", landing.url, landing.status, landing.message())
	}
	return landing.url.Query().Get("code"), b
}

func TestAppCodeExchange(t *testing.T) {
	s := newOIDCEnv(t, onSQLite, map[string]any{"groupRoles": groupRules, "redirectUris": []string{"http://127.0.0.1:1/elsewhere"}})
	appURI := s.srv.URL + "/app/callback"
	uris := []string{appURI}
	if _, err := s.sso.Update(s.h.Ctx, provisioning.Operator(), s.acme.Org.ID, s.conn.ID, sso.ConnectionInput{RedirectURIs: &uris}); err != nil {
		t.Fatal(err)
	}
	s.conn.RedirectURIs = uris
	s.op.setUser("u1", "alice", "alice@example.com", true, "Alice", "Doe", "engineering", "sales")
	admin := s.token(s.acme.Org.ID, "admin@acme.com", provisioning.RoleAdmin)
	member := s.token(s.acme.Org.ID, "member@acme.com", provisioning.RoleMember)
	rival := s.h.CreateOrg("rival", 5, "owner@rival.com")
	rivalAdmin := s.token(rival.Org.ID, "admin@rival.com", provisioning.RoleAdmin)

	code, b := s.appSignIn("alice", "opaque app state")
	if b.cookie(s.srv.URL, session.CookieName) != "" {
		t.Fatal("an app sign-in opened a console session")
	}
	body := map[string]any{"code": code, "redirectUri": appURI}
	for _, c := range []struct {
		token string
		body  map[string]any
		code  string
	}{
		{member, body, "forbidden"},
		{rivalAdmin, body, "forbidden"},
		{admin, map[string]any{"code": code, "redirectUri": appURI + "/other"}, "invalid"},
		{admin, map[string]any{"code": "rcc_made-up", "redirectUri": appURI}, "invalid"},
	} {
		if res := s.call(c.token, "POST", "/sso/exchange", c.body); res.errCode() != c.code {
			t.Fatalf("exchange: %d %s, want %s", res.Status, res.Raw, c.code)
		}
	}
	res := s.call(admin, "POST", "/sso/exchange", body)
	if res.Status != http.StatusOK {
		t.Fatalf("exchange: %d %s", res.Status, res.Raw)
	}
	p := decode[sso.Profile](t, res.Raw)
	if p.User.Email != "alice@example.com" || p.User.FirstName != "Alice" || p.Org.Slug != "acme" ||
		p.Role != provisioning.RoleMember || !p.HasSeat || !slices.Equal(p.Groups, []string{"engineering", "sales"}) ||
		p.Connection.ID != s.conn.ID || p.Connection.Protocol != "oidc" || p.Membership.Status != provisioning.StatusActive {
		t.Fatalf("profile: %+v", p)
	}
	if res := s.call(admin, "POST", "/sso/exchange", body); res.errCode() != "invalid" {
		t.Fatalf("a code worked twice: %d %s", res.Status, res.Raw)
	}

	code, _ = s.appSignIn("alice", "")
	s.h.Clock.Advance(sso.DefaultCodeTTL + time.Second)
	if res := s.call(s.env.op, "POST", "/sso/exchange", map[string]any{"code": code, "redirectUri": appURI}); res.errCode() != "invalid" {
		t.Fatalf("an expired code worked: %d %s", res.Status, res.Raw)
	}
	code, _ = s.appSignIn("alice", "")
	if res := s.call(s.env.op, "POST", "/sso/exchange", map[string]any{"code": code, "redirectUri": appURI}); res.Status != http.StatusOK {
		t.Fatalf("the operator key cannot exchange: %d %s", res.Status, res.Raw)
	}
}

func TestAppRedirectURIMustBeRegistered(t *testing.T) {
	s := newOIDCEnv(t, onSQLite, map[string]any{"redirectUris": []string{"https://app.example/callback"}})
	before := s.counts()
	for i, uri := range []string{"https://app.example/callback/../evil", "https://evil.example/callback", "https://app.example/callback?x=1"} {
		p := newBrowser(t).get(s.conn.SignInURL + "&redirect_uri=" + url.QueryEscape(uri))
		s.refused(p, before, i, http.StatusForbidden, "is not registered for this connection")
	}
}
