package sso_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/session"
	"github.com/rollcall/rollcall/sso"
)

// refused checks that a sign-in was turned away with a page carrying want, wrote nothing but
// one failure event in the audit log, and returns that event's reason.
func (e *env) refused(p page, before counts, failuresBefore int, status int, want string) string {
	e.t.Helper()
	return e.refusedT(e.t, p, before, failuresBefore, status, want)
}

// refusedT is refused reporting to t (a subtest).
func (e *env) refusedT(t *testing.T, p page, before counts, failuresBefore int, status int, want string) string {
	t.Helper()
	if p.status != status || !strings.Contains(p.message(), want) {
		t.Fatalf("got %d %q on %s, want %d with %q", p.status, p.message(), p.url, status, want)
	}
	if after := e.counts(); after != before {
		t.Fatalf("a refused sign-in wrote rows: before %+v, after %+v", before, after)
	}
	failures := e.audits("sso.sign_in_failed")
	if len(failures) != failuresBefore+1 {
		t.Fatalf("%d failures audited, want %d", len(failures), failuresBefore+1)
	}
	f := failures[0]
	if f.ActorKind != provisioning.ActorIdP || f.TargetType != "sso_connection" {
		t.Fatalf("failure audit: %+v", f)
	}
	return f.Reason
}

func TestSAMLSeatLimitGivesViewer(t *testing.T) {
	s := newSAMLEnv(t, onSQLite, map[string]any{"groupRoles": groupRules}, true)
	s.verifyDomain(s.acme.Org.ID, "acme.com")
	limit := 2
	if _, err := s.h.Service.UpdateOrg(s.h.Ctx, provisioning.Operator(), s.acme.Org.ID, provisioning.OrgUpdate{SeatLimit: &limit}); err != nil {
		t.Fatal(err)
	}
	s.h.MustJoin(s.acme.Org.ID, "bob@acme.com", provisioning.EntranceManual, provisioning.RoleMember)
	s.idp.setUser(idpUser{name: "alice", email: "alice@acme.com", first: "Alice", groups: []string{"admins"}})
	landing, _ := s.signIn("alice")
	if landing.url.Path != "/" {
		t.Fatalf("landed on %s: %s", landing.url, landing.body)
	}
	m := s.member(s.acme.Org.ID, "alice@acme.com")
	if m.Role != provisioning.RoleViewer || m.HasSeat {
		t.Fatalf("with no free seat the mapped admin should join as viewer: %+v", m)
	}
	if u := s.h.Usage(s.acme.Org.ID); u.Used != 2 {
		t.Fatalf("seats used %+v", u)
	}
}

func TestSAMLJITOff(t *testing.T) {
	s := newSAMLEnv(t, onSQLite, map[string]any{"jit": false}, true)
	s.verifyDomain(s.acme.Org.ID, "acme.com")
	bob := s.h.MustJoin(s.acme.Org.ID, "bob@acme.com", provisioning.EntranceManual, provisioning.RoleMember)
	s.idp.setUser(idpUser{name: "bob", email: "bob@acme.com", first: "Bob", last: "Stone"})
	s.idp.setUser(idpUser{name: "carol", email: "carol@acme.com", first: "Carol"})

	if landing, _ := s.signIn("bob"); landing.url.Path != "/" {
		t.Fatalf("an existing member is refused with JIT off: %d %s", landing.status, landing.message())
	}
	if m := s.member(s.acme.Org.ID, "bob@acme.com"); m.FirstName != "Bob" || m.Role != provisioning.RoleMember {
		t.Fatalf("existing member after sign-in: %+v", m)
	}

	before := s.counts()
	p, _ := s.signIn("carol")
	s.refused(p, before, 0, http.StatusForbidden, "not added on first sign-in")
	if _, ok := s.findMember(s.acme.Org.ID, "carol@acme.com"); ok {
		t.Fatal("a stranger joined with JIT off")
	}

	if _, err := s.h.Service.Suspend(s.h.Ctx, provisioning.Operator(), s.acme.Org.ID, bob.Membership.ID); err != nil {
		t.Fatal(err)
	}
	before = s.counts()
	p, _ = s.signIn("bob")
	s.refused(p, before, 1, http.StatusForbidden, "no active membership")
}

func TestSAMLSuspendedAndRemovedCannotSignIn(t *testing.T) {
	s := newSAMLEnv(t, onSQLite, nil, true)
	s.verifyDomain(s.acme.Org.ID, "acme.com")
	s.idp.setUser(idpUser{name: "bob", email: "bob@acme.com"})
	s.idp.setUser(idpUser{name: "dan", email: "dan@acme.com"})
	s.signIn("bob")
	s.signIn("dan")
	bob, dan := s.member(s.acme.Org.ID, "bob@acme.com"), s.member(s.acme.Org.ID, "dan@acme.com")
	if _, err := s.h.Service.Suspend(s.h.Ctx, provisioning.Operator(), s.acme.Org.ID, bob.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.h.Service.Remove(s.h.Ctx, provisioning.Operator(), s.acme.Org.ID, dan.ID); err != nil {
		t.Fatal(err)
	}
	before := s.counts()
	p, _ := s.signIn("bob")
	s.refused(p, before, 0, http.StatusForbidden, "suspended")
	p, _ = s.signIn("dan")
	s.refused(p, before, 1, http.StatusForbidden, "removed")
}

func TestSAMLResponseIsUsedOnce(t *testing.T) {
	s := newSAMLEnv(t, onSQLite, nil, true)
	s.idp.setUser(idpUser{name: "alice", email: "alice@acme.com"})
	b := newBrowser(t)
	f := s.idp.signIn(b, s.conn.SignInURL, "alice")
	if p := b.submit(f, nil); p.url.Path != "/" {
		t.Fatalf("first post: %d %s", p.status, p.message())
	}
	before := s.counts()
	p := b.submit(f, nil)
	s.refused(p, before, 0, http.StatusGone, "already completed")
}

// TestSAMLIdPInitiated: off by default; on, a tile click signs in once, and the same response
// replayed at another instance sharing the database is refused by the assertion-id table.
func TestSAMLIdPInitiated(t *testing.T) {
	s := newSAMLEnv(t, onSQLite, map[string]any{"redirectUris": []string{"http://127.0.0.1/unused"}}, true)
	s.idp.setUser(idpUser{name: "alice", email: "alice@acme.com"})
	b := newBrowser(t)
	f := s.idp.signInIdPInitiated(b, s.conn, "alice", "")
	before := s.counts()
	p := b.submit(f, nil)
	s.refused(p, before, 0, http.StatusForbidden, "sign-ins started at the identity provider are turned off")

	on := true
	if _, err := s.sso.Update(s.h.Ctx, provisioning.Operator(), s.acme.Org.ID, s.conn.ID, sso.ConnectionInput{AllowIDPInitiated: &on}); err != nil {
		t.Fatal(err)
	}
	f = s.idp.signInIdPInitiated(newBrowser(t), s.conn, "alice", "")
	if p := b.submit(f, nil); p.url.Path != "/" {
		t.Fatalf("IdP-initiated sign-in: %d %s", p.status, p.message())
	}
	other, err := sso.New(s.h.Service, sso.Options{BaseURL: s.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	before = s.counts()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", s.conn.SAML.ACSURL, strings.NewReader(f.fields.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	http.StripPrefix(sso.MountPath, other.Handler()).ServeHTTP(rec, req)
	replay := page{status: rec.Code, url: mustURL(s.conn.SAML.ACSURL), body: rec.Body.String()}
	s.refused(replay, before, 1, http.StatusConflict, "already used")
}

// TestSAMLCrossOrgTakeover: an org's IdP reaches an existing account by email only at a domain
// that org verified. The victim's account (in another org, at an unclaimed domain) is refused;
// once acme verifies the domain, its IdP speaks for it and links to the account.
func TestSAMLCrossOrgTakeover(t *testing.T) {
	s := newSAMLEnv(t, onSQLite, nil, true)
	rival := s.h.CreateOrg("rival", 10, "owner@rival.com")
	victim := s.h.MustJoin(rival.Org.ID, "victim@example.com", provisioning.EntranceManual, provisioning.RoleMember)
	s.idp.setUser(idpUser{name: "victim", email: "victim@example.com", first: "Not", last: "Victim"})

	before := s.counts()
	p, b := s.signIn("victim")
	s.refused(p, before, 0, http.StatusForbidden, "must verify the domain example.com")
	if b.cookie(s.srv.URL, session.CookieName) != "" {
		t.Fatal("the refused sign-in left a session cookie")
	}

	s.verifyDomain(s.acme.Org.ID, "example.com")
	if p, _ := s.signIn("victim"); p.url.Path != "/" {
		t.Fatalf("at acme's verified domain the sign-in links: %d %s", p.status, p.message())
	}
	if m := s.member(s.acme.Org.ID, "victim@example.com"); m.UserID != victim.User.ID {
		t.Fatalf("linked to user %s, want the existing %s", m.UserID, victim.User.ID)
	}
}

// TestSAMLConcurrentPosts: one response posted many times at once (double clicks, several
// instances behind a load balancer) signs in exactly once.
func TestSAMLConcurrentPosts(t *testing.T) {
	for _, b := range []backend{onSQLite, onPostgres} {
		t.Run(b.name, func(t *testing.T) {
			s := newSAMLEnv(t, b, nil, true)
			s.idp.setUser(idpUser{name: "alice", email: "alice@acme.com"})
			br := newBrowser(t)
			f := s.idp.signIn(br, s.conn.SignInURL, "alice")
			var wg sync.WaitGroup
			var signedIn, refused atomic.Int32
			for range 8 {
				wg.Go(func() {
					res, err := br.c.PostForm(f.action.String(), f.fields)
					if err != nil {
						t.Error(err)
						return
					}
					res.Body.Close()
					switch {
					case res.Request.URL.Path == "/":
						signedIn.Add(1)
					case res.StatusCode == http.StatusGone || res.StatusCode == http.StatusConflict:
						refused.Add(1)
					default:
						t.Errorf("unexpected answer %d", res.StatusCode)
					}
				})
			}
			wg.Wait()
			if signedIn.Load() != 1 || refused.Load() != 7 {
				t.Fatalf("%d sign-ins and %d refusals from 8 posts of one response", signedIn.Load(), refused.Load())
			}
			if c := s.counts(); c.sessions != 1 || c.assertions != 1 || c.members != 2 {
				t.Fatalf("rows: %+v", c)
			}
		})
	}
}
