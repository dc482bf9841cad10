package invites_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/rollcall/rollcall/provisioning"
)

// parallel runs fn n times at once.
func parallel(n int, fn func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			fn(i)
		}()
	}
	close(start)
	wg.Wait()
}

// TestRaceAccepts: 20 concurrent accepts of one invitation write exactly one membership.
func TestRaceAccepts(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		for round := range 3 {
			addr := fmt.Sprintf("racer%d@x.com", round)
			_, link := e.mustInvite(addr, provisioning.RoleMember)
			b, _ := e.signIn(addr)
			statuses := make([]int, 20)
			codes := make([]string, 20)
			parallel(20, func(i int) {
				r := b.do("POST", pathOf(link)+"/accept", nil)
				statuses[i], codes[i] = r.Status, r.code()
			})
			ok := 0
			for i, s := range statuses {
				switch {
				case s == 200:
					ok++
				case s != http.StatusConflict || codes[i] != "invitation_used":
					t.Fatalf("round %d: accept answered %d %s", round, s, codes[i])
				}
			}
			if ok != 1 {
				t.Fatalf("round %d: %d accepts succeeded, want exactly 1", round, ok)
			}
			joined := 0
			e.h.Tx(func(tx provisioning.StoreTx) error {
				events, err := tx.ListAudit(e.h.Ctx, provisioning.AuditQuery{OrgID: e.acme.Org.ID, Action: "member.joined"})
				for _, ev := range events {
					if strings.Contains(string(ev.After), addr) {
						joined++
					}
				}
				return err
			})
			if m, found := e.member(addr); !found || !m.HasSeat() || joined != 1 {
				t.Fatalf("round %d: membership %+v found=%v, %d join events", round, m, found, joined)
			}
		}
	})
}

// TestRaceLastSeat: concurrent invitations against the last free seat never go over the limit.
func TestRaceLastSeat(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		for i := range 8 {
			e.h.MustJoin(e.acme.Org.ID, fmt.Sprintf("m%d@acme.com", i), provisioning.EntranceManual, provisioning.RoleMember)
		}
		for round := range 3 {
			// Limit 10, owner and 8 members: one seat is free.
			statuses := make([]int, 10)
			ids := make([]string, 10)
			parallel(10, func(i int) {
				r := e.invite(fmt.Sprintf("r%d-%d@x.com", round, i), provisioning.RoleMember)
				statuses[i], ids[i] = r.Status, r.str("invitation", "id")
				if r.Status != http.StatusCreated && r.code() != "seat_limit_reached" {
					t.Errorf("round %d: invite answered %d %s", round, r.Status, r.Raw)
				}
			})
			won := ""
			for i, s := range statuses {
				if s == http.StatusCreated {
					if won != "" {
						t.Fatalf("round %d: two invitations took the last seat", round)
					}
					won = ids[i]
				}
			}
			if won == "" {
				t.Fatalf("round %d: no invitation took the free seat", round)
			}
			if u := e.h.Usage(e.acme.Org.ID); u.Used != 10 {
				t.Fatalf("round %d: %d seats used, limit 10", round, u.Used)
			}
			if r := e.api(e.owner, "POST", "/orgs/acme/invitations/"+won+"/revoke", nil); r.Status != 200 {
				t.Fatalf("revoke: %d %s", r.Status, r.Raw)
			}
		}
	})
}

// TestRaceSignInLink: 20 concurrent uses of one emailed sign-in link open exactly one session.
func TestRaceSignInLink(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		if err := e.inv.RequestSignIn(e.h.Ctx, "racer@x.com", "", "10.0.0.1"); err != nil {
			t.Fatal(err)
		}
		if n := e.deliver(); n < 1 {
			t.Fatal("sign-in mail not delivered")
		}
		link := e.lastLink("racer@x.com")
		token := link[strings.Index(link, "token=")+len("token="):]
		if i := strings.IndexByte(token, '&'); i >= 0 {
			token = token[:i]
		}
		var mu sync.Mutex
		won, refused := 0, 0
		parallel(20, func(int) {
			_, err := e.inv.CompleteSignIn(e.h.Ctx, token, "")
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case provisioning.ErrorCode(err) == provisioning.CodeInternal:
				t.Errorf("a racing sign-in failed inside: %v", err)
			default:
				refused++
			}
		})
		if won != 1 || refused != 19 {
			t.Fatalf("%d sign-ins opened a session with one link, %d refused; want 1 and 19", won, refused)
		}
	})
}

// TestCrossSiteFormsRefused: another site cannot make a signed-in browser accept an invitation,
// join by link or sign out: the forms answer 403 and nothing is written.
func TestCrossSiteFormsRefused(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		_, link := e.mustInvite("victim@x.com", provisioning.RoleMember)
		victim, _ := e.signIn("victim@x.com")
		before := e.fingerprint()
		for _, path := range []string{pathOf(link) + "/accept", pathOf(link) + "/decline", "/auth/logout"} {
			req, _ := http.NewRequest("POST", e.srv.URL+path, nil)
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			req.Header.Set("Accept", "application/json")
			res, err := victim.c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("cross-site POST %s: %d", path, res.StatusCode)
			}
		}
		if after := e.fingerprint(); after != before {
			t.Fatalf("cross-site forms wrote:\n%s\n%s", before, after)
		}
		if r := victim.do("POST", pathOf(link)+"/accept", nil); r.Status != http.StatusOK {
			t.Fatalf("the same accept from our own page: %d %s", r.Status, r.Raw)
		}
	})
}
