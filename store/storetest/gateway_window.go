package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

// windowRound is one burst of concurrent introspections at an offset from a minute boundary.
type windowRound struct {
	at      time.Duration
	callers int
}

// testRaceSlidingWindow fires bursts of concurrent introspections of one token (limit 10 a
// minute) through two service instances around a minute boundary, where a fixed window would
// let 20 calls through within a second. It checks that no 60-second span holds more than 10
// allowed calls, that each burst gets exactly what an exact sliding log allows (no call refused
// that could go), that Remaining counts down truly, and that a refused call's ResetAt is the
// moment the next call is allowed.
func testRaceSlidingWindow(t *testing.T, h *Harness) {
	const limit = 10
	o := h.CreateOrg("acme", 5, "owner@acme.com")
	n := limit
	tok, err := h.Service.CreateToken(h.Ctx, h.MemberActor(o.Owner.Membership), o.Org.ID, "gw", provisioning.TokenLimits{RateLimitPerMinute: &n})
	if err != nil {
		t.Fatal(err)
	}
	instances := []*provisioning.Service{h.Service, provisioning.NewService(h.Store, provisioning.Options{Now: h.Clock.Now})}
	now := h.Clock.Now()
	boundary := now.Truncate(time.Minute).Add(2 * time.Minute)
	rounds := []windowRound{
		{-30 * time.Second, 4}, {-20 * time.Second, 3}, {-500 * time.Millisecond, 40}, {500 * time.Millisecond, 40},
		{30*time.Second - time.Microsecond, 40}, {30 * time.Second, 40}, {40*time.Second - time.Microsecond, 40},
		{40 * time.Second, 40}, {59900 * time.Millisecond, 40}, {60 * time.Second, 5}, {100 * time.Second, 40},
	}
	var allowed []time.Time
	for _, round := range rounds {
		at := boundary.Add(round.at)
		h.Clock.Advance(at.Sub(h.Clock.Now()))
		results := make([]provisioning.Introspection, round.callers)
		errs := parallel(round.callers, func(i int) error {
			var err error
			results[i], err = instances[i%2].Introspect(h.Ctx, provisioning.Operator(), tok.Secret)
			return err
		})
		want := limit - inSpan(allowed, at)
		var remaining []int
		for i, r := range results {
			if errs[i] != nil {
				t.Fatalf("%s: %v", round.at, errs[i])
			}
			if r.RateLimit.Allowed {
				remaining = append(remaining, r.RateLimit.Remaining)
				allowed = append(allowed, at)
			}
		}
		for _, r := range results {
			if free := nextFree(allowed, at, limit); !r.RateLimit.Allowed && (!r.RateLimit.ResetAt.Equal(free) || r.RateLimit.Exceeded != "minute") {
				t.Fatalf("%s: refused call %+v, want a reset at %s", round.at, r.RateLimit, free)
			}
		}
		if got := len(remaining); got != min(want, round.callers) {
			t.Fatalf("%s after the boundary: %d of %d calls allowed, an exact sliding window allows %d", round.at, got, round.callers, min(want, round.callers))
		}
		slices.Sort(remaining)
		for i, r := range remaining {
			if r != want-len(remaining)+i {
				t.Fatalf("%s: allowed calls say remaining %v, want %d down to %d", round.at, remaining, want-1, want-len(remaining))
			}
		}
		for _, a := range allowed {
			if c := inSpan(allowed, a); c > limit {
				t.Fatalf("%d calls allowed in the 60 s up to %s (limit %d)", c, a.Sub(boundary), limit)
			}
		}
	}
	refused, err := h.Service.Introspect(h.Ctx, provisioning.Operator(), tok.Secret)
	if err != nil || refused.RateLimit.Allowed {
		t.Fatalf("one more call at the end: %+v %v", refused.RateLimit, err)
	}
	reset := refused.RateLimit.ResetAt
	h.Clock.Advance(reset.Sub(h.Clock.Now()) - time.Microsecond)
	if r, _ := h.Service.Introspect(h.Ctx, provisioning.Operator(), tok.Secret); r.RateLimit.Allowed {
		t.Fatalf("allowed a microsecond before the reset it announced (%s)", reset)
	}
	h.Clock.Advance(time.Microsecond)
	if r, _ := h.Service.Introspect(h.Ctx, provisioning.Operator(), tok.Secret); !r.RateLimit.Allowed {
		t.Fatalf("refused at the reset it announced (%s): %+v", reset, r.RateLimit)
	}
}

// inSpan counts the allowed calls in the 60 seconds up to and including at.
func inSpan(allowed []time.Time, at time.Time) int {
	n := 0
	for _, a := range allowed {
		if a.After(at.Add(-time.Minute)) && !a.After(at) {
			n++
		}
	}
	return n
}

// nextFree is when an exact sliding window of limit calls next allows a call after at.
func nextFree(allowed []time.Time, at time.Time, limit int) time.Time {
	var live []time.Time
	for _, a := range allowed {
		if a.After(at.Add(-time.Minute)) {
			live = append(live, a)
		}
	}
	if len(live) < limit {
		return at
	}
	return live[len(live)-limit].Add(time.Minute)
}

// testTokenUsageLimit: the usage limit counts allowed calls only and never resets.
func testTokenUsageLimit(t *testing.T, h *Harness) {
	o := h.CreateOrg("acme", 5, "owner@acme.com")
	one, two := 1, int64(2)
	tok, err := h.Service.CreateToken(h.Ctx, h.MemberActor(o.Owner.Membership), o.Org.ID, "gw", provisioning.TokenLimits{RateLimitPerMinute: &one, UsageLimit: &two})
	if err != nil {
		t.Fatal(err)
	}
	var got []provisioning.RateLimit
	for range 4 {
		r, err := h.Service.Introspect(h.Ctx, provisioning.Operator(), tok.Secret)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, *r.RateLimit)
		h.Clock.Advance(30 * time.Second)
	}
	if !got[0].Allowed || got[1].Allowed || got[1].Exceeded != "minute" || !got[2].Allowed || got[2].TotalCalls != 2 {
		t.Fatalf("allowed, refused by the minute, allowed: %+v", got[:3])
	}
	if got[3].Allowed || got[3].Exceeded != "usage" || !got[3].ResetAt.IsZero() || got[3].Remaining != 0 || got[3].TotalCalls != 2 {
		t.Fatalf("past the usage limit: %+v", got[3])
	}
	toks, err := h.Service.ListTokens(h.Ctx, h.MemberActor(o.Owner.Membership), o.Org.ID, false)
	if err != nil || len(toks) != 1 || toks[0].TotalCalls != 2 {
		t.Fatalf("listed tokens: %+v %v", toks, err)
	}
}
