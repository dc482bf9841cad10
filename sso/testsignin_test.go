package sso_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/crewjam/saml"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/session"
	"github.com/rollcall/rollcall/sso"
)

// tester stands in for the console's "Test sign-in" button: a server that starts a test of one
// connection as a signed-in person (the console authenticates them; here the test names them).
// It listens on 127.0.0.1 like Rollcall, so the browser binding cookie it sets reaches the ACS.
func (e *env) tester(conn sso.Connection, email string) string {
	e.t.Helper()
	var u provisioning.User
	e.h.Tx(func(tx provisioning.StoreTx) error {
		var err error
		u, err = tx.GetUserByEmail(e.h.Ctx, email)
		return err
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := e.sso.StartTest(w, r, provisioning.UserActor(u), conn.OrgID, conn.ID, resultPath(conn))
		if err != nil {
			http.Error(w, provisioning.ErrorMessage(err), http.StatusForbidden)
		}
	}))
	e.t.Cleanup(srv.Close)
	return srv.URL
}

func resultPath(c sso.Connection) string { return "/console/acme/sso/" + c.ID + "/test" }

// testID checks that a test's answer sent the browser to the result page and returns the id.
func testID(t *testing.T, p page, c sso.Connection) string {
	t.Helper()
	id := p.url.Query().Get("test")
	if p.url.Path != resultPath(c) || id == "" {
		t.Fatalf("the test did not land on its result page but %s (%d): %s", p.url, p.status, p.body)
	}
	return id
}

// written is what a sign-in may write, beyond counts: webhooks, emails and membership events.
func (e *env) written() [2]int {
	return [2]int{e.count("SELECT COUNT(*) FROM outbox"), e.count("SELECT COUNT(*) FROM audit_events WHERE action LIKE 'member.%'")}
}

// TestSAMLTestSignInProvisionsNothing runs "Test sign-in" against crewjam's IdP: the result says
// what arrived and what a real sign-in would do (a new admin, by the group rule), and nothing
// is written to users, memberships, identities, sessions, codes or the outbox; the assertion is
// used up, the test audited, and the result shown to the admin who ran it only. A real sign-in
// afterwards provisions as the test said.
func TestSAMLTestSignInProvisionsNothing(t *testing.T) {
	for _, b := range []backend{onSQLite, onPostgres} {
		t.Run(b.name, func(t *testing.T) {
			s := newSAMLEnv(t, b, map[string]any{"groupRoles": groupRules}, true)
			s.verifyDomain(s.acme.Org.ID, "acme.com")
			bob := s.h.MustJoin(s.acme.Org.ID, "bob@acme.com", provisioning.EntranceManual, provisioning.RoleAdmin)
			s.idp.setUser(idpUser{name: "ivy", email: "ivy@acme.com", first: "Ivy", last: "Lee", groups: []string{"admins", "eng"}})

			before, wrote := s.counts(), s.written()
			br := newBrowser(t)
			answer := s.idp.signIn(br, s.tester(s.conn, "owner@acme.com"), "ivy")
			p := br.submit(answer, nil)
			id := testID(t, p, s.conn)
			after := s.counts()
			if after.assertions != before.assertions+1 {
				t.Fatalf("the tested assertion was not used up: %+v → %+v", before, after)
			}
			after.assertions = before.assertions
			if after != before || s.written() != wrote {
				t.Fatalf("a test sign-in wrote people: %+v %v → %+v %v", before, wrote, after, s.written())
			}
			if _, ok := s.findMember(s.acme.Org.ID, "ivy@acme.com"); ok {
				t.Fatal("the tested person became a member")
			}
			if br.cookie(s.srv.URL, session.CookieName) != "" {
				t.Fatal("a test sign-in opened a session")
			}

			res, err := s.sso.GetTest(s.h.Ctx, s.h.MemberActor(s.acme.Owner.Membership), s.acme.Org.ID, s.conn.ID, id)
			if err != nil {
				t.Fatal(err)
			}
			if res.Refusal != "" || res.Email != "ivy@acme.com" || !res.Vouched || res.Subject != "pid-ivy" ||
				res.SubjectFormat != string(saml.PersistentNameIDFormat) || res.FirstName != "Ivy" || res.LastName != "Lee" ||
				!slices.Equal(res.Groups, []string{"admins", "eng"}) || res.RuleRole != provisioning.RoleAdmin ||
				res.Role != provisioning.RoleAdmin || !res.HasSeat || !strings.Contains(res.Outcome, "A new account for ivy@acme.com would join") {
				t.Fatalf("test result: %+v", res)
			}
			if !slices.ContainsFunc(res.Attributes, func(a sso.TestAttribute) bool {
				return a.Name == "mail" && slices.Equal(a.Values, []string{"ivy@acme.com"})
			}) {
				t.Fatalf("attributes received: %+v", res.Attributes)
			}
			tested := s.audits("sso.sign_in_tested")
			if len(tested) != 1 || tested[0].ActorID != s.acme.Owner.Membership.ID || !strings.Contains(tested[0].Reason, "nothing provisioned") {
				t.Fatalf("test audit: %+v", tested)
			}
			// Another admin of the org does not see it; the same answer again is refused.
			if _, err := s.sso.GetTest(s.h.Ctx, s.h.MemberActor(bob.Membership), s.acme.Org.ID, s.conn.ID, id); !provisioning.IsCode(err, provisioning.CodeNotFound) {
				t.Fatalf("another admin read the test: %v", err)
			}
			if again := br.submit(answer, nil); again.status != http.StatusGone {
				t.Fatalf("the test's answer posted again: %d %s", again.status, again.message())
			}

			landing, _ := s.signIn("ivy")
			if m := s.member(s.acme.Org.ID, "ivy@acme.com"); landing.url.Path != "/" || m.Role != provisioning.RoleAdmin {
				t.Fatalf("the real sign-in after the test: %s %+v", landing.url, m)
			}
		})
	}
}

// TestSAMLTestSignInRefusals: a test shows why a real sign-in would be refused, by the checks
// (no email mapped) or by the core (an existing account at a domain the org has not verified;
// JIT off for a stranger), and writes nothing either way. A connection turned off can be tested.
func TestSAMLTestSignInRefusals(t *testing.T) {
	s := newSAMLEnv(t, onSQLite, map[string]any{"enabled": false}, true)
	s.h.MustJoin(s.acme.Org.ID, "dan@acme.com", provisioning.EntranceManual, provisioning.RoleMember)
	s.idp.setUser(idpUser{name: "dan", email: "dan@acme.com", first: "Dan"})
	owner := s.h.MemberActor(s.acme.Owner.Membership)
	run := func(user string) sso.TestResult {
		t.Helper()
		before, wrote := s.counts(), s.written()
		br := newBrowser(t)
		p := br.submit(s.idp.signIn(br, s.tester(s.conn, "owner@acme.com"), user), nil)
		res, err := s.sso.GetTest(s.h.Ctx, owner, s.acme.Org.ID, s.conn.ID, testID(t, p, s.conn))
		if err != nil {
			t.Fatal(err)
		}
		if after := s.counts(); after.users != before.users || after.members != before.members ||
			after.identities != before.identities || after.sessions != before.sessions || s.written() != wrote {
			t.Fatalf("a refused test wrote rows: %+v → %+v", before, after)
		}
		return res
	}
	if res := run("dan"); res.Vouched || res.Step != "sign-in" || !strings.Contains(res.Refusal, "verify the domain acme.com first") ||
		!strings.Contains(res.VouchNote, "not a verified domain") {
		t.Fatalf("an existing account at an unverified domain: %+v", res)
	}
	if start := newBrowser(t).get(s.conn.SignInURL); start.status != http.StatusForbidden {
		t.Fatalf("a real sign-in through the connection turned off: %d", start.status)
	}

	off, on := false, true
	if _, err := s.sso.Update(s.h.Ctx, owner, s.acme.Org.ID, s.conn.ID, sso.ConnectionInput{JIT: &off, Enabled: &on,
		Mapping: &sso.Mapping{Email: "no-such-attribute"}}); err != nil {
		t.Fatal(err)
	}
	if res := run("dan"); res.Step != "SAML response" || !strings.Contains(res.Refusal, "sent no email address") || res.Subject != "pid-dan" {
		t.Fatalf("no email mapped: %+v", res)
	}
	s.verifyDomain(s.acme.Org.ID, "acme.com")
	if _, err := s.sso.Update(s.h.Ctx, owner, s.acme.Org.ID, s.conn.ID, sso.ConnectionInput{Mapping: &sso.Mapping{}}); err != nil {
		t.Fatal(err)
	}
	s.idp.setUser(idpUser{name: "eve", email: "eve@acme.com"})
	if res := run("eve"); !res.Vouched || !strings.Contains(res.Refusal, "not added on first sign-in") {
		t.Fatalf("a stranger with JIT off: %+v", res)
	}
	if res := run("dan"); res.Refusal != "" || !strings.Contains(res.Outcome, "is a member of acme Inc and would sign in as member") {
		t.Fatalf("a member with JIT off: %+v", res)
	}
}

// TestOIDCTestSignInProvisionsNothing runs "Test sign-in" against zitadel's OP: claims (groups
// from userinfo) and the subject show, a stranger at an unverified domain would get a new
// account, and nothing is written.
func TestOIDCTestSignInProvisionsNothing(t *testing.T) {
	s := newOIDCEnv(t, onSQLite, map[string]any{"groupRoles": groupRules})
	s.op.setUser("u7", "gus", "gus@example.com", true, "Gus", "Grey", "engineering")
	before, wrote := s.counts(), s.written()
	p := s.op.signIn(newBrowser(t), s.tester(s.conn, "owner@acme.com"), "gus")
	id := testID(t, p, s.conn)
	if after := s.counts(); after != before || s.written() != wrote {
		t.Fatalf("an OIDC test wrote rows: %+v → %+v", before, after)
	}
	res, err := s.sso.GetTest(s.h.Ctx, s.h.MemberActor(s.acme.Owner.Membership), s.acme.Org.ID, s.conn.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	if res.Refusal != "" || res.Subject != "u7" || res.Email != "gus@example.com" || res.Vouched || res.FirstName != "Gus" ||
		!slices.Equal(res.Groups, []string{"engineering"}) || res.Role != provisioning.RoleMember ||
		!strings.Contains(res.Outcome, "A new account for gus@example.com would join") {
		t.Fatalf("OIDC test result: %+v", res)
	}
	if len(s.audits("sso.sign_in_tested")) != 1 {
		t.Fatal("the OIDC test was not audited")
	}
}

// TestTestSignInNeedsAnAdmin: only a signed-in owner or admin starts a test, and one demoted
// while at the IdP gets no result: the answer is refused like a failed sign-in.
func TestTestSignInNeedsAnAdmin(t *testing.T) {
	s := newSAMLEnv(t, onSQLite, nil, true)
	s.idp.setUser(idpUser{name: "ivy", email: "ivy@acme.com"})
	s.h.MustJoin(s.acme.Org.ID, "mia@acme.com", provisioning.EntranceManual, provisioning.RoleMember)
	if p := newBrowser(t).get(s.tester(s.conn, "mia@acme.com")); p.status != http.StatusForbidden || !strings.Contains(p.body, "only owners and admins") {
		t.Fatalf("a member started a test: %d %s", p.status, p.body)
	}
	rec := httptest.NewRecorder()
	if err := s.sso.StartTest(rec, httptest.NewRequest("POST", "/", nil), provisioning.Operator(), s.acme.Org.ID, s.conn.ID, "/x"); !provisioning.IsCode(err, provisioning.CodeForbidden) {
		t.Fatalf("the operator key started a test: %v", err)
	}

	zoe := s.h.MustJoin(s.acme.Org.ID, "zoe@acme.com", provisioning.EntranceManual, provisioning.RoleAdmin)
	br := newBrowser(t)
	answer := s.idp.signIn(br, s.tester(s.conn, "zoe@acme.com"), "ivy")
	if _, err := s.h.Service.ChangeRole(s.h.Ctx, provisioning.Operator(), s.acme.Org.ID, zoe.Membership.ID, provisioning.RoleMember); err != nil {
		t.Fatal(err)
	}
	if p := br.submit(answer, nil); p.status != http.StatusForbidden || !strings.Contains(p.message(), "only owners and admins can test single sign-on") {
		t.Fatalf("a demoted admin's test: %d %s %s", p.status, p.url, p.message())
	}
	if len(s.audits("sso.sign_in_tested")) != 0 {
		t.Fatal("a demoted admin's test was stored")
	}
}

// TestConnectionDraft: a connection saved turned off may wait for its IdP. It serves its SP
// metadata (for the IdP to load first), cannot be tested or turned on until the IdP is set.
func TestConnectionDraft(t *testing.T) {
	e := newEnv(t, onSQLite)
	for _, protocol := range []string{"saml", "oidc"} {
		c := e.connection(map[string]any{"protocol": protocol, "enabled": false, "idp": "okta"})
		if c.Configured || c.Enabled || c.IdP != "okta" {
			t.Fatalf("%s draft: %+v", protocol, c)
		}
		res := e.call(e.op, "PATCH", "/orgs/acme/sso/connections/"+c.ID, map[string]any{"enabled": true})
		if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Raw), "turned on") {
			t.Fatalf("%s draft turned on: %d %s", protocol, res.Status, res.Raw)
		}
		owner := e.h.MemberActor(e.acme.Owner.Membership)
		err := e.sso.StartTest(httptest.NewRecorder(), httptest.NewRequest("POST", "/", nil), provisioning.UserActor(provisioning.User{ID: owner.UserID}), e.acme.Org.ID, c.ID, "/x")
		if !provisioning.IsCode(err, provisioning.CodeConflict) {
			t.Fatalf("%s draft tested: %v", protocol, err)
		}
		if protocol == "saml" {
			if p := newBrowser(t).get(c.SAML.MetadataURL); p.status != http.StatusOK || !strings.Contains(p.body, c.SAML.ACSURL) {
				t.Fatalf("draft SP metadata: %d %s", p.status, p.body)
			}
		}
	}
	if res := e.call(e.op, "POST", "/orgs/acme/sso/connections", map[string]any{"protocol": "saml"}); res.Status != http.StatusBadRequest {
		t.Fatalf("a SAML connection turned on without its IdP: %d %s", res.Status, res.Raw)
	}
	if res := e.call(e.op, "POST", "/orgs/acme/sso/connections", map[string]any{"protocol": "saml", "enabled": false, "idp": "ping"}); res.Status != http.StatusBadRequest {
		t.Fatalf("an unknown idp: %d %s", res.Status, res.Raw)
	}
}
