package domains_test

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rollcall/rollcall/domains"
	"github.com/rollcall/rollcall/domains/dnstest"
	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/store/storetest"
)

func TestVerifyAgainstRealDNS(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		org := e.acme.Org.ID
		d := e.add(e.owner, org, "Acme.com", false)
		if d.Name != "acme.com" || d.State != provisioning.DomainUnverified || d.AutoJoin || d.JoinRole != provisioning.RoleMember ||
			d.Record.Type != "TXT" || d.Record.Name != "_rollcall.acme.com" || !strings.HasPrefix(d.Record.Value, "rollcall-verification=") ||
			len(d.Record.Value) < len("rollcall-verification=")+32 {
			t.Fatalf("added: %+v", d)
		}

		// NXDOMAIN: nothing published yet.
		wantOutcome(t, wantState(t, e.verify(e.owner, org, "acme.com"), provisioning.DomainUnverified, "NXDOMAIN"), domains.OutcomeMissing)
		// The name exists without TXT records.
		e.dns.Exists(d.Record.Name)
		wantOutcome(t, wantState(t, e.verify(e.owner, org, "acme.com"), provisioning.DomainUnverified, "no TXT record found at _rollcall.acme.com"), domains.OutcomeMissing)
		// TXT records, but not ours.
		e.dns.SetTXT(d.Record.Name, "v=spf1 -all", "google-site-verification=abc")
		wantOutcome(t, wantState(t, e.verify(e.owner, org, "acme.com"), provisioning.DomainUnverified, "no rollcall-verification record"), domains.OutcomeMissing)
		// Our record with a wrong token.
		e.dns.SetTXT(d.Record.Name, "rollcall-verification=not-the-token")
		wantOutcome(t, wantState(t, e.verify(e.owner, org, "acme.com"), provisioning.DomainUnverified, "different token"), domains.OutcomeWrongValue)
		// A server failure.
		e.dns.Fail(true)
		wantOutcome(t, wantState(t, e.verify(e.owner, org, "acme.com"), provisioning.DomainUnverified, "SERVFAIL"), domains.OutcomeFailed)
		e.dns.Fail(false)
		if got := e.actions(org, d.ID); !slices.Equal(got, []string{"domain.added"}) {
			t.Fatalf("failed checks are not audited: %v", got)
		}

		e.publish(d)
		v := e.verify(e.owner, org, "ACME.COM.")
		wantOutcome(t, wantState(t, v, provisioning.DomainVerified, ""), domains.OutcomeFound)
		if v.Reason != "" || v.VerifiedAt == nil || v.CheckedAt == nil {
			t.Fatalf("verified: %+v", v)
		}
		if got := e.actions(org, d.ID); !slices.Equal(got, []string{"domain.verified", "domain.added"}) {
			t.Fatalf("audit: %v", got)
		}
		if n := e.dns.Queries(); n < 6 {
			t.Fatalf("the DNS server answered %d queries", n)
		}
	})
}

func TestVerifyResolverTimeout(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		d := e.add(e.owner, e.acme.Org.ID, "acme.com", false)
		for name, c := range map[string]struct {
			addr, says string
			outcome    domains.Outcome
		}{
			"silent server": {dnstest.Silent(t), "no answer before the timeout", domains.OutcomeTimeout},
			"closed port":   {closedPort(t), "try again later", domains.OutcomeFailed},
		} {
			svc := e.service(domains.Options{ResolverAddr: c.addr, LookupTimeout: 300 * time.Millisecond})
			start := time.Now()
			got, err := svc.Verify(e.h.Ctx, e.owner, e.acme.Org.ID, d.Name)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			wantOutcome(t, wantState(t, got, provisioning.DomainUnverified, c.says), c.outcome)
			if el := time.Since(start); el > 3*time.Second {
				t.Fatalf("%s: the timeout was not applied: %v", name, el)
			}
		}
	})
}

func TestReverifyLosesAndRegains(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		org := e.acme.Org.ID
		d := e.verified("acme.com", true)
		sum, err := e.svc.ReverifyAll(e.h.Ctx)
		if err != nil || sum.Checked != 1 || sum.Lost != 0 {
			t.Fatalf("record still there: %+v %v", sum, err)
		}

		// A lookup that fails keeps the domain verified and says so.
		e.dns.Fail(true)
		if sum, err := e.svc.ReverifyAll(e.h.Ctx); err != nil || sum.Failed != 1 || sum.Lost != 0 {
			t.Fatalf("failed lookup: %+v %v", sum, err)
		}
		got, _ := e.svc.Get(e.h.Ctx, e.owner, org, "acme.com")
		wantState(t, got, provisioning.DomainVerified, "stays verified")
		e.dns.Fail(false)

		// The record is removed: the domain is lost and auto-join pauses.
		e.dns.Delete(d.Record.Name)
		e.h.Clock.Advance(time.Hour)
		if sum, err := e.svc.ReverifyAll(e.h.Ctx); err != nil || sum.Lost != 1 {
			t.Fatalf("record removed: %+v %v", sum, err)
		}
		got, _ = e.svc.Get(e.h.Ctx, e.owner, org, "acme.com")
		wantState(t, got, provisioning.DomainLost, "the verification record is gone")
		if !strings.Contains(got.Reason, "auto-join") || !got.AutoJoin {
			t.Fatalf("lost: %+v", got)
		}
		if res, err := e.svc.AutoJoin(e.h.Ctx, provisioning.User{Email: "ann@acme.com", EmailVerified: true}); err != nil || len(res) != 0 {
			t.Fatalf("auto-join is paused while the record is gone: %+v %v", res, err)
		}
		if _, err := e.svc.FindOrgByEmail(e.h.Ctx, "ann@acme.com"); provisioning.ErrorCode(err) != provisioning.CodeNotFound {
			t.Fatalf("a lost domain does not route sign-in: %v", err)
		}
		if sum, _ := e.svc.ReverifyAll(e.h.Ctx); sum.Lost != 0 {
			t.Fatalf("a lost domain is lost once: %+v", sum)
		}
		if got := e.actions(org, d.ID); got[0] != "domain.lost" || countOf(got, "domain.lost") != 1 {
			t.Fatalf("audit: %v", got)
		}

		// The record is back: verified again, auto-join resumes.
		e.publish(d)
		if sum, err := e.svc.ReverifyAll(e.h.Ctx); err != nil || sum.Verified != 1 {
			t.Fatalf("record back: %+v %v", sum, err)
		}
		if res, err := e.svc.AutoJoin(e.h.Ctx, provisioning.User{Email: "ann@acme.com", EmailVerified: true}); err != nil || len(res) != 1 {
			t.Fatalf("auto-join resumes: %+v %v", res, err)
		}
	})
}

func TestRunReverifiesPeriodically(t *testing.T) {
	h := storetest.NewHarness(t, storetest.OpenSQLite(t))
	srv := dnstest.Start(t)
	svc, err := domains.New(h.Service, domains.Options{ResolverAddr: srv.Addr, ReverifyInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	o := h.CreateOrg("acme", 5, "owner@acme.com")
	owner := h.MemberActor(o.Owner.Membership)
	d, _ := svc.Add(h.Ctx, owner, o.Org.ID, domains.AddInput{Name: "acme.com"})
	if _, ok := svc.NextCheck(d.Domain); ok {
		t.Fatal("an unverified domain is checked only when asked, yet it has a next check")
	}
	srv.SetTXT(d.Record.Name, d.Record.Value)
	if d, _ = svc.Verify(h.Ctx, owner, o.Org.ID, "acme.com"); d.State != provisioning.DomainVerified {
		t.Fatalf("verify: %+v", d)
	}
	if next, ok := svc.NextCheck(d.Domain); !ok || !next.Equal(d.CheckedAt.Add(20*time.Millisecond)) {
		t.Fatalf("next check of a verified domain: %v %v (checked %v)", next, ok, d.CheckedAt)
	}
	srv.Delete(d.Record.Name)
	ctx, cancel := context.WithCancel(h.Ctx)
	done := make(chan error)
	go func() { done <- svc.Run(ctx) }()
	deadline := time.Now().Add(5 * time.Second)
	for d.State != provisioning.DomainLost && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
		d, _ = svc.Get(h.Ctx, owner, o.Org.ID, "acme.com")
	}
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("Run returned %v", err)
	}
	if d.State != provisioning.DomainLost {
		t.Fatalf("Run did not re-verify: %+v", d)
	}
}

func TestTwoOrgsClaimOneDomain(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		rival := e.h.CreateOrg("rival", 10, "owner@rival.com")
		rivalOwner := e.h.MemberActor(rival.Owner.Membership)
		theirs := e.add(rivalOwner, rival.Org.ID, "acme.com", true)
		ours := e.add(e.owner, e.acme.Org.ID, "acme.com", true)
		if ours.Record.Value == theirs.Record.Value {
			t.Fatal("each claim has its own token")
		}
		e.dns.SetTXT(ours.Record.Name, ours.Record.Value, theirs.Record.Value)
		wantState(t, e.verify(e.owner, e.acme.Org.ID, "acme.com"), provisioning.DomainVerified, "")

		got := e.verify(rivalOwner, rival.Org.ID, "acme.com")
		wantState(t, got, provisioning.DomainUnverified, "another org has already verified this domain")
		if strings.Contains(got.Reason, "acme") && strings.Contains(got.Reason, e.acme.Org.ID) {
			t.Fatalf("the reason names the other org: %q", got.Reason)
		}
		late := e.h.CreateOrg("late", 10, "owner@late.com")
		lateD, err := e.svc.Add(e.h.Ctx, e.h.MemberActor(late.Owner.Membership), late.Org.ID, domains.AddInput{Name: "acme.com"})
		if err != nil || !strings.Contains(lateD.Reason, "another org") {
			t.Fatalf("a claim added after the verification says why up front: %+v %v", lateD, err)
		}
		if org, err := e.svc.FindOrgByEmail(e.h.Ctx, "ann@acme.com"); err != nil || org != e.acme.Org.ID {
			t.Fatalf("the verified org routes: %q %v", org, err)
		}

		// Once the holder removes its claim, the other org can verify.
		if err := e.svc.Remove(e.h.Ctx, e.owner, e.acme.Org.ID, "acme.com"); err != nil {
			t.Fatal(err)
		}
		wantState(t, e.verify(rivalOwner, rival.Org.ID, "acme.com"), provisioning.DomainVerified, "")
		if org, _ := e.svc.FindOrgByEmail(e.h.Ctx, "ann@acme.com"); org != rival.Org.ID {
			t.Fatalf("routing follows the verified claim: %q", org)
		}
	})
}

func countOf(list []string, s string) int {
	n := 0
	for _, v := range list {
		if v == s {
			n++
		}
	}
	return n
}

// closedPort is a loopback UDP address nobody listens on.
func closedPort(t *testing.T) string {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	pc.Close()
	return addr
}

func TestConcurrentClaimsVerifyOnce(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		type claim struct {
			actor provisioning.Actor
			org   string
		}
		var claims []claim
		var values []string
		for i := range 6 {
			o := e.h.CreateOrg(fmt.Sprintf("org%d", i), 5, fmt.Sprintf("owner@org%d.com", i))
			c := claim{e.h.MemberActor(o.Owner.Membership), o.Org.ID}
			values = append(values, e.add(c.actor, c.org, "acme.com", true).Record.Value)
			claims = append(claims, c)
		}
		e.dns.SetTXT("_rollcall.acme.com", values...)
		var wg sync.WaitGroup
		results := make([]domains.Info, len(claims))
		for i, c := range claims {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d, err := e.svc.Verify(e.h.Ctx, c.actor, c.org, "acme.com")
				if err != nil {
					t.Errorf("verify: %v", err)
				}
				results[i] = d
			}()
		}
		wg.Wait()
		verified := 0
		for _, d := range results {
			if d.State == provisioning.DomainVerified {
				verified++
			} else if !strings.Contains(d.Reason, "another org") {
				t.Errorf("a losing claim says why: %+v", d)
			}
		}
		if verified != 1 {
			t.Fatalf("%d orgs verified one domain", verified)
		}
	})
}
