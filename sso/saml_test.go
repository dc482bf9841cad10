package sso_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/session"
	"github.com/rollcall/rollcall/sso"
)

// samlEnv is Rollcall with one SAML connection in acme to a real samlidp IdP.
type samlEnv struct {
	*env
	idp  *samlIdP
	conn sso.Connection
}

func newSAMLEnv(t *testing.T, b backend, settings map[string]any, encrypt bool) *samlEnv {
	t.Helper()
	e := newEnv(t, b)
	idp := newSAMLIdP(t, e.h.Clock)
	in := map[string]any{"protocol": "saml", "name": "Test IdP", "idpMetadataUrl": idp.metadataURL()}
	for k, v := range settings {
		in[k] = v
	}
	conn := e.connection(in)
	idp.register(conn, encrypt)
	return &samlEnv{env: e, idp: idp, conn: conn}
}

// signIn runs a whole sign-in for user in a fresh browser and returns the landing page.
func (s *samlEnv) signIn(user string) (page, *browser) {
	s.t.Helper()
	b := newBrowser(s.t)
	f := s.idp.signIn(b, s.conn.SignInURL, user)
	return b.submit(f, nil), b
}

var groupRules = []map[string]any{{"group": "admins", "role": "admin"}, {"group": "engineering", "role": "member"}}

func TestSAMLSignInProvisionsAndUpdates(t *testing.T) {
	for _, b := range []backend{onSQLite, onPostgres} {
		t.Run(b.name, func(t *testing.T) {
			s := newSAMLEnv(t, b, map[string]any{"groupRoles": groupRules, "defaultRole": "viewer"}, true)
			s.verifyDomain(s.acme.Org.ID, "acme.com")
			s.idp.setUser(idpUser{name: "alice", email: "alice@acme.com", first: "Alice", last: "Doe", groups: []string{"engineering"}})

			landing, br := s.signIn("alice")
			if landing.status != http.StatusOK || landing.url.Path != "/" || landing.body != "console home" {
				t.Fatalf("first sign-in landed on %s (%d): %s", landing.url, landing.status, landing.body)
			}
			m := s.member(s.acme.Org.ID, "alice@acme.com")
			if m.Role != provisioning.RoleMember || !m.HasSeat || m.Source != provisioning.EntranceSAML ||
				m.FirstName != "Alice" || m.LastName != "Doe" || !slices.Equal(m.Groups, []string{"engineering"}) {
				t.Fatalf("first sign-in: %+v", m)
			}
			sess, u, err := s.h.Service.SessionUser(s.h.Ctx, br.cookie(s.srv.URL, session.CookieName))
			if err != nil || u.Email != "alice@acme.com" || sess.OrgID != s.acme.Org.ID || !u.EmailVerified {
				t.Fatalf("session: %+v %+v %v", sess, u, err)
			}

			s.idp.setUser(idpUser{name: "alice", email: "alice@acme.com", first: "Alicia", last: "Doe-Smith", groups: []string{"engineering"}})
			s.signIn("alice")
			m = s.member(s.acme.Org.ID, "alice@acme.com")
			if m.FirstName != "Alicia" || m.LastName != "Doe-Smith" || m.Role != provisioning.RoleMember {
				t.Fatalf("second sign-in did not update the profile: %+v", m)
			}

			s.idp.setUser(idpUser{name: "alice", email: "alice@acme.com", first: "Alicia", last: "Doe-Smith", groups: []string{"engineering", "admins"}})
			s.signIn("alice")
			if m = s.member(s.acme.Org.ID, "alice@acme.com"); m.Role != provisioning.RoleAdmin {
				t.Fatalf("joining the admins group did not make an admin: %+v", m)
			}
			s.idp.setUser(idpUser{name: "alice", email: "alice@acme.com", first: "Alicia", last: "Doe-Smith", groups: []string{"sales"}})
			s.signIn("alice")
			if m = s.member(s.acme.Org.ID, "alice@acme.com"); m.Role != provisioning.RoleViewer || m.HasSeat {
				t.Fatalf("leaving every mapped group did not fall back to the default role: %+v", m)
			}
			if n := len(s.audits("sso.signed_in")); n != 4 {
				t.Fatalf("%d sign-ins audited, want 4", n)
			}
			if c := s.counts(); c.users != 2 || c.identities != 1 || c.assertions != 4 {
				t.Fatalf("rows after four sign-ins: %+v", c)
			}
		})
	}
}
