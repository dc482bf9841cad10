package sso_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/session"
	"github.com/rollcall/rollcall/sso"
)

// oidcEnv is Rollcall with one OIDC connection in acme to a real zitadel OP.
type oidcEnv struct {
	*env
	op   *testOP
	conn sso.Connection
}

func newOIDCEnv(t *testing.T, b backend, settings map[string]any) *oidcEnv {
	t.Helper()
	e := newEnv(t, b)
	o := newTestOP(t)
	in := map[string]any{"protocol": "oidc", "name": "Zitadel", "issuer": o.srv.URL, "clientId": opClientID,
		"clientSecret": opClientSecret, "scopes": []string{"email", "profile"}}
	for k, v := range settings {
		in[k] = v
	}
	conn := e.connection(in)
	o.client(conn.OIDC.RedirectURL)
	return &oidcEnv{env: e, op: o, conn: conn}
}

func (s *oidcEnv) signIn(username string) (page, *browser) {
	s.t.Helper()
	b := newBrowser(s.t)
	return s.op.signIn(b, s.conn.SignInURL, username), b
}

func TestOIDCSignInProvisionsAndUpdates(t *testing.T) {
	for _, b := range []backend{onSQLite, onPostgres} {
		t.Run(b.name, func(t *testing.T) {
			s := newOIDCEnv(t, b, map[string]any{"groupRoles": groupRules})
			s.op.setUser("u1", "alice", "alice@example.com", true, "Alice", "Doe", "engineering")

			landing, br := s.signIn("alice")
			if landing.url.Path != "/" || landing.body != "console home" {
				t.Fatalf("sign-in landed on %s (%d): %s", landing.url, landing.status, landing.body)
			}
			m := s.member(s.acme.Org.ID, "alice@example.com")
			if m.Role != provisioning.RoleMember || !m.HasSeat || m.Source != provisioning.EntranceOIDC ||
				m.FirstName != "Alice" || !slices.Equal(m.Groups, []string{"engineering"}) {
				t.Fatalf("first sign-in: %+v", m)
			}
			// The OP's email_verified proves nothing at a domain acme has not verified.
			_, u, err := s.h.Service.SessionUser(s.h.Ctx, br.cookie(s.srv.URL, session.CookieName))
			if err != nil || u.Email != "alice@example.com" || u.EmailVerified {
				t.Fatalf("session user %+v %v", u, err)
			}

			s.op.setUser("u1", "alice", "alice@example.com", true, "Alicia", "Doe", "engineering", "admins")
			s.signIn("alice")
			m = s.member(s.acme.Org.ID, "alice@example.com")
			if m.FirstName != "Alicia" || m.Role != provisioning.RoleAdmin {
				t.Fatalf("second sign-in (new name, admins group): %+v", m)
			}
			if c := s.counts(); c.users != 2 || c.identities != 1 || c.sessions != 2 {
				t.Fatalf("rows after two sign-ins: %+v", c)
			}
		})
	}
}

func TestOIDCJITOffRefusesStranger(t *testing.T) {
	s := newOIDCEnv(t, onSQLite, map[string]any{"jit": false})
	s.op.setUser("u2", "carol", "carol@example.com", true, "Carol", "")
	before := s.counts()
	p, _ := s.signIn("carol")
	s.refused(p, before, 0, http.StatusForbidden, "not added on first sign-in")
}

func TestOIDCWrongNonce(t *testing.T) {
	s := newOIDCEnv(t, onSQLite, nil)
	s.op.setUser("u1", "alice", "alice@example.com", true, "Alice", "")
	s.op.store.forgeNonce("nonce-of-another-sign-in")
	before := s.counts()
	p, _ := s.signIn("alice")
	s.refused(p, before, 0, http.StatusUnauthorized, "nonce does not match")
}

func TestOIDCWrongIssuer(t *testing.T) {
	e := newEnv(t, onSQLite)
	o := newTestOP(t)
	tenant := o.srv.URL + "/tenant-b"
	o.lie(tenant)
	conn := e.connection(map[string]any{"protocol": "oidc", "issuer": tenant, "clientId": opClientID, "clientSecret": opClientSecret})
	o.client(conn.OIDC.RedirectURL)
	o.setUser("u1", "alice", "alice@example.com", true, "Alice", "")
	s := &oidcEnv{env: e, op: o, conn: conn}
	before := s.counts()
	p, _ := s.signIn("alice")
	s.refused(p, before, 0, http.StatusUnauthorized, "issued by a different identity provider")

	// A discovery document that comes to name another issuer after the connection was saved is
	// refused before the browser leaves Rollcall (on an instance that has not discovered it yet).
	fresh := newEnv(t, onSQLite)
	saved := fresh.connection(map[string]any{"protocol": "oidc", "issuer": tenant, "clientId": opClientID})
	o.lie(o.srv.URL + "/tenant-c")
	start := newBrowser(t).get(saved.SignInURL)
	if start.status != http.StatusUnauthorized || !strings.Contains(start.message(), "names a different issuer") ||
		start.url.Host != mustURL(fresh.srv.URL).Host {
		t.Fatalf("discovery with a mismatched issuer: %d %s %s", start.status, start.url, start.message())
	}
}

// TestOIDCTokenWithoutIat: the OP's ID token without an iat claim is refused, and nothing is
// written but the failure's audit event.
func TestOIDCTokenWithoutIat(t *testing.T) {
	s := newOIDCEnv(t, onSQLite, nil)
	s.op.setUser("u1", "alice", "alice@example.com", true, "Alice", "")
	s.op.store.dropIat()
	before := s.counts()
	p, _ := s.signIn("alice")
	s.refused(p, before, 0, http.StatusUnauthorized, "no issue time (iat)")
}

// TestOIDCCrossOrgTakeover: an org's OP that asserts email_verified=true for an address at a
// domain the org has not verified (gmail.com, or any unclaimed domain) cannot sign in as the
// existing account with that address, which belongs to another org; and an OP never speaks
// for a domain another org verified, not even to create an account there.
func TestOIDCCrossOrgTakeover(t *testing.T) {
	s := newOIDCEnv(t, onSQLite, nil)
	rival := s.h.CreateOrg("rival", 10, "ceo@rival.com")
	for i, victim := range []string{"victim@gmail.com", "victim@example.com"} {
		s.h.MustJoin(rival.Org.ID, victim, provisioning.EntranceManual, provisioning.RoleMember)
		s.op.setUser("u9", "mallory", victim, true, "Mallory", "")
		before := s.counts()
		p, b := s.signIn("mallory")
		s.refused(p, before, i, http.StatusForbidden, "must verify the domain "+provisioning.EmailDomain(victim))
		if b.cookie(s.srv.URL, session.CookieName) != "" {
			t.Fatalf("%s: the refused sign-in left a session cookie", victim)
		}
	}
	failed := len(s.audits("sso.sign_in_failed"))
	s.h.MustJoin(s.acme.Org.ID, "ann@acme.com", provisioning.EntranceManual, provisioning.RoleMember)
	s.op.setUser("u8", "ann", "ann@acme.com", false, "Ann", "")
	before := s.counts()
	p, _ := s.signIn("ann")
	s.refused(p, before, failed, http.StatusForbidden, "must verify the domain acme.com")
	s.verifyDomain(s.acme.Org.ID, "acme.com")
	if p, _ := s.signIn("ann"); p.url.Path != "/" {
		t.Fatalf("at its own verified domain the OP signs in the existing member: %d %s", p.status, p.message())
	}

	s.verifyDomain(rival.Org.ID, "rival.com")
	for _, email := range []string{"ceo@rival.com", "newcomer@rival.com"} {
		s.op.setUser("u9", "mallory", email, true, "Mallory", "")
		before, failed := s.counts(), len(s.audits("sso.sign_in_failed"))
		p, _ = s.signIn("mallory")
		s.refused(p, before, failed, http.StatusForbidden, "verified by another organization")
	}
}

// TestOIDCStateOfAnotherConnection: an answer to a sign-in started at one connection is never
// accepted at another connection's callback, even in the same browser.
func TestOIDCStateOfAnotherConnection(t *testing.T) {
	s := newOIDCEnv(t, onSQLite, nil)
	other := s.connection(map[string]any{"protocol": "oidc", "name": "Other", "issuer": s.op.srv.URL, "clientId": opClientID, "clientSecret": opClientSecret})
	s.op.client(s.conn.OIDC.RedirectURL, other.OIDC.RedirectURL)
	s.op.setUser("u1", "alice", "alice@example.com", true, "Alice", "")

	b := newBrowser(t)
	b.c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Path == mustURL(s.conn.OIDC.RedirectURL).Path {
			return http.ErrUseLastResponse
		}
		return nil
	}
	answer := s.op.signIn(b, s.conn.SignInURL, "alice")
	if answer.status != http.StatusFound {
		t.Fatalf("expected the OP's redirect to the callback, got %d at %s", answer.status, answer.url)
	}
	callback := mustURL(answer.header.Get("Location"))
	callback.Path = mustURL(other.OIDC.RedirectURL).Path
	before := s.counts()
	p := b.get(callback.String())
	s.refused(p, before, 0, http.StatusForbidden, "started for a different connection")

	// The answer still works once, where it belongs.
	callback.Path = mustURL(s.conn.OIDC.RedirectURL).Path
	b.c.CheckRedirect = nil
	if p := b.get(callback.String()); p.url.Path != "/" {
		t.Fatalf("the genuine callback failed: %d %s", p.status, p.message())
	}
}
