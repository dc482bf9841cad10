package sso_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/rollcall/rollcall/provisioning"
)

// TestSAMLTransientNameIDSignsInTwice: a transient NameID (SimpleSAMLphp's default) is new at
// every sign-in; it is not taken as the person's subject, so the second sign-in finds the same
// account by email instead of failing.
func TestSAMLTransientNameIDSignsInTwice(t *testing.T) {
	s := newSAMLEnv(t, onSQLite, nil, true)
	s.idp.setUser(idpUser{name: "tara", email: "tara@example.com", first: "Tara", transient: true})
	for i := range 2 {
		if p, _ := s.signIn("tara"); p.url.Path != "/" {
			t.Fatalf("sign-in %d with a transient NameID: %d %s", i+1, p.status, p.message())
		}
	}
	if c := s.counts(); c.users != 2 || c.identities != 1 || c.sessions != 2 {
		t.Fatalf("rows after two transient sign-ins: %+v", c)
	}
	if m := s.member(s.acme.Org.ID, "tara@example.com"); m.Source != provisioning.EntranceSAML {
		t.Fatalf("membership %+v", m)
	}
}

// TestSAMLRenameNeverMergesTwoPeople: subject A signs in as old@, the IdP renames A to new@, and
// subject B later arrives as old@. B never gets A's account: where acme verified the domain the
// account follows A to new@ and B gets a new one; where the rename cannot follow (the account
// is also in another org), B is refused because A's account already has a subject at this
// connection, at an unverified domain as well.
func TestSAMLRenameNeverMergesTwoPeople(t *testing.T) {
	t.Run("verified domain: the account follows the rename", func(t *testing.T) {
		s := newSAMLEnv(t, onSQLite, nil, true)
		s.verifyDomain(s.acme.Org.ID, "acme.com")
		s.idp.setUser(idpUser{name: "a", email: "old@acme.com"})
		s.mustSignIn("a")
		alice := s.member(s.acme.Org.ID, "old@acme.com")
		s.idp.setUser(idpUser{name: "a", email: "new@acme.com"})
		s.mustSignIn("a")
		if m := s.member(s.acme.Org.ID, "new@acme.com"); m.UserID != alice.UserID {
			t.Fatalf("the renamed person got another account: %s, was %s", m.UserID, alice.UserID)
		}
		if len(s.audits("user.email_changed")) != 1 {
			t.Fatal("the rename is not audited")
		}
		s.idp.setUser(idpUser{name: "b", email: "old@acme.com"})
		s.mustSignIn("b")
		if m := s.member(s.acme.Org.ID, "old@acme.com"); m.UserID == alice.UserID {
			t.Fatal("B was given A's account")
		}
	})
	t.Run("rename refused: a second subject is never linked by email", func(t *testing.T) {
		s := newSAMLEnv(t, onSQLite, nil, true)
		s.verifyDomain(s.acme.Org.ID, "acme.com")
		rival := s.h.CreateOrg("rival", 10, "owner@rival.com")
		s.idp.setUser(idpUser{name: "a", email: "old@acme.com"})
		s.mustSignIn("a")
		alice := s.member(s.acme.Org.ID, "old@acme.com")
		s.h.MustJoin(rival.Org.ID, "old@acme.com", provisioning.EntranceManual, provisioning.RoleMember)
		s.idp.setUser(idpUser{name: "a", email: "new@acme.com"})
		s.mustSignIn("a")
		kept := s.audits("user.email_kept")
		if len(kept) != 1 || !strings.Contains(kept[0].Reason, "another organization") {
			t.Fatalf("email_kept audit: %+v", kept)
		}
		s.idp.setUser(idpUser{name: "b", email: "old@acme.com"})
		before, failed := s.counts(), len(s.audits("sso.sign_in_failed"))
		p, _ := s.signIn("b")
		s.refused(p, before, failed, http.StatusForbidden, "already linked to another person at this identity provider")
		if m := s.member(s.acme.Org.ID, "old@acme.com"); m.UserID != alice.UserID {
			t.Fatal("A's account changed hands")
		}
	})
	t.Run("unverified domain", func(t *testing.T) {
		s := newSAMLEnv(t, onSQLite, nil, true)
		s.idp.setUser(idpUser{name: "a", email: "old@example.com"})
		s.mustSignIn("a")
		s.idp.setUser(idpUser{name: "a", email: "new@example.com"})
		s.mustSignIn("a")
		s.idp.setUser(idpUser{name: "b", email: "old@example.com"})
		before, failed := s.counts(), len(s.audits("sso.sign_in_failed"))
		p, _ := s.signIn("b")
		s.refused(p, before, failed, http.StatusForbidden, "already linked to another person at this identity provider")
	})
}

func (s *samlEnv) mustSignIn(user string) {
	s.t.Helper()
	if p, _ := s.signIn(user); p.url.Path != "/" {
		s.t.Fatalf("%s could not sign in: %d %s", user, p.status, p.message())
	}
}

// TestSSOGroupsAbsentKeepTheRole: with group rules, a sign-in whose IdP sent no groups claim
// at all (Dex without the groups scope, Entra's overage) keeps the member's role; an empty
// list of groups demotes to the default role. Each role change is audited with its rule.
func TestSSOGroupsAbsentKeepTheRole(t *testing.T) {
	s := newOIDCEnv(t, onSQLite, map[string]any{"groupRoles": groupRules})
	s.op.setUser("u1", "alice", "alice@example.com", true, "Alice", "", "admins")
	s.signIn("alice")
	if m := s.member(s.acme.Org.ID, "alice@example.com"); m.Role != provisioning.RoleAdmin {
		t.Fatalf("first sign-in: %+v", m)
	}
	s.op.setUser("u1", "alice", "alice@example.com", true, "Alice", "")
	s.signIn("alice")
	if m := s.member(s.acme.Org.ID, "alice@example.com"); m.Role != provisioning.RoleAdmin {
		t.Fatalf("no groups claim demoted the admin: %+v", m)
	}
	s.op.users.mu.Lock()
	s.op.users.groups["u1"] = []string{}
	s.op.users.mu.Unlock()
	s.signIn("alice")
	if m := s.member(s.acme.Org.ID, "alice@example.com"); m.Role != provisioning.RoleMember {
		t.Fatalf("an empty groups claim should demote to the default role: %+v", m)
	}
	changes := s.audits("member.role_changed")
	if len(changes) != 1 || !strings.Contains(changes[0].Reason, "no group rule matched: the org's default role member") {
		t.Fatalf("role change audit: %+v", changes)
	}
	joined := s.audits("member.joined")
	if len(joined) == 0 || !strings.Contains(joined[0].Reason, `group rule "admins" gives admin`) {
		t.Fatalf("join audit: %+v", joined)
	}
}
