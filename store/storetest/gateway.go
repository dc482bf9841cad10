package storetest

import (
	"testing"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

func testIntrospection(t *testing.T, h *Harness) {
	o := h.CreateOrg("acme", 5, "owner@acme.com")
	org := o.Org.ID
	ann := h.MustJoin(org, "ann@acme.com", provisioning.EntranceManual, provisioning.RoleMember).Membership
	three, daily := 3, int64(4)
	tok, err := h.Service.CreateToken(h.Ctx, h.MemberActor(ann), org, "gw", provisioning.TokenLimits{RateLimitPerMinute: &three, DailyLimit: &daily})
	if err != nil {
		t.Fatal(err)
	}
	op := provisioning.Operator()
	call := func() provisioning.Introspection {
		t.Helper()
		r, err := h.Service.Introspect(h.Ctx, op, tok.Secret)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if midnight := h.Clock.Now().UTC().Truncate(24 * time.Hour).Add(24 * time.Hour); midnight.Sub(h.Clock.Now()) < 5*time.Minute {
		h.Clock.Advance(midnight.Sub(h.Clock.Now()))
	}
	start := h.Clock.Now()
	for i := 1; i <= 3; i++ {
		r := call()
		if !r.Active || !r.RateLimit.Allowed || r.RateLimit.Remaining != 3-i || r.Role != provisioning.RoleMember || !r.HasSeat || r.Org.Slug != "acme" {
			t.Fatalf("call %d: %+v %+v", i, r, r.RateLimit)
		}
	}
	if r := call(); r.RateLimit.Allowed || r.RateLimit.Exceeded != "minute" || !r.RateLimit.ResetAt.Equal(start.Add(time.Minute)) || r.RateLimit.DailyCalls != 3 {
		t.Fatalf("fourth call in a minute: %+v, want a reset at %s and the refused call not counted", r.RateLimit, start.Add(time.Minute))
	}
	h.Tx(func(tx provisioning.StoreTx) error {
		m, err := tx.GetMembershipByID(h.Ctx, org, ann.ID)
		if err != nil {
			return err
		}
		if m.LastActiveAt == nil || !m.LastActiveAt.Equal(start) {
			t.Errorf("introspection did not record the member's activity: last active %v, want %s", m.LastActiveAt, start)
		}
		got, err := tx.GetToken(h.Ctx, org, tok.ID)
		if err != nil {
			return err
		}
		if got.Usage.Total != 3 || got.LastUsedAt == nil || !got.LastUsedAt.Equal(start) {
			t.Errorf("introspection's usage not stored: %d calls, last used %v", got.Usage.Total, got.LastUsedAt)
		}
		return nil
	})
	h.Clock.Advance(time.Minute)
	if r := call(); !r.RateLimit.Allowed || r.RateLimit.Remaining != 0 || r.RateLimit.DailyCalls != 4 {
		t.Fatalf("fourth allowed call of the day (the refused one used no quota): %+v", r.RateLimit)
	}
	midnight := h.Clock.Now().UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	if r := call(); r.RateLimit.Allowed || r.RateLimit.Exceeded != "daily" || r.RateLimit.DailyCalls != 4 || !r.RateLimit.ResetAt.Equal(midnight) {
		t.Fatalf("fifth call in a day: %+v, want a reset at %s", r.RateLimit, midnight)
	}
	h.Clock.Advance(24 * time.Hour)
	if r := call(); !r.RateLimit.Allowed || r.RateLimit.TotalCalls != 5 || r.RateLimit.DailyCalls != 1 {
		t.Fatalf("next day: %+v", r.RateLimit)
	}
	if _, err := h.Service.ChangeRole(h.Ctx, op, org, ann.ID, provisioning.RoleViewer); err != nil {
		t.Fatal(err)
	}
	if r := call(); r.Role != provisioning.RoleViewer || r.HasSeat {
		t.Fatalf("role change not seen by the next introspection: %+v", r)
	}
	if _, err := h.Service.Remove(h.Ctx, op, org, ann.ID); err != nil {
		t.Fatal(err)
	}
	if r := call(); r.Active || r.Reason == "" {
		t.Fatalf("removed member's token still active: %+v", r)
	}
	if r, _ := h.Service.Introspect(h.Ctx, op, "mwt_unknown"); r.Active {
		t.Fatal("unknown token active")
	}
	_, err = h.Service.Introspect(h.Ctx, h.MemberActor(o.Owner.Membership), tok.Secret)
	WantCode(t, err, provisioning.CodeForbidden)
}

func testRaceRateLimit(t *testing.T, h *Harness) {
	o := h.CreateOrg("acme", 5, "owner@acme.com")
	ten := 10
	tok, err := h.Service.CreateToken(h.Ctx, h.MemberActor(o.Owner.Membership), o.Org.ID, "gw", provisioning.TokenLimits{RateLimitPerMinute: &ten})
	if err != nil {
		t.Fatal(err)
	}
	allowed := make([]bool, 40)
	errs := parallel(40, func(i int) error {
		r, err := h.Service.Introspect(h.Ctx, provisioning.Operator(), tok.Secret)
		allowed[i] = r.RateLimit != nil && r.RateLimit.Allowed
		return err
	})
	n := 0
	for i, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
		if allowed[i] {
			n++
		}
	}
	if n != 10 {
		t.Fatalf("%d of 40 concurrent calls allowed with a limit of 10 per minute", n)
	}
}
