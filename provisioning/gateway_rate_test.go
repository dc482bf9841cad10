package provisioning

import (
	"testing"
	"time"
)

// TestDecideRateResetIsWhenACallGoes: a call refused by the daily limit while the minute is
// full too is told to come back when both allow it, and Remaining is the least any limit leaves.
func TestDecideRateResetIsWhenACallGoes(t *testing.T) {
	two, daily := 2, int64(3)
	l := TokenLimits{RateLimitPerMinute: &two, DailyLimit: &daily}
	midnight := time.Date(2030, 5, 2, 0, 0, 0, 0, time.UTC)
	at := midnight.Add(-90 * time.Second)
	var u TokenUsage
	u, r := decideRate(l, 120, u, at)
	if !r.Allowed || r.Remaining != 1 || !r.ResetAt.Equal(at.Add(RateSpan)) {
		t.Fatalf("first call: %+v", r)
	}
	second, last := at.Add(RateSpan), midnight.Add(-10*time.Second)
	for _, when := range []time.Time{second, last} {
		if u, r = decideRate(l, 120, u, when); !r.Allowed {
			t.Fatalf("call at %s: %+v", when, r)
		}
	}
	free := second.Add(RateSpan)
	if r.Remaining != 0 || r.DailyCalls != 3 || !r.ResetAt.Equal(free) {
		t.Fatalf("third call of the day fills both the day and the minute: %+v", r)
	}
	_, r = decideRate(l, 120, u, last.Add(time.Second))
	if r.Allowed || r.Exceeded != "daily" || !r.ResetAt.Equal(free) {
		t.Fatalf("refused by the day and the minute: %+v, want a reset at %s, after midnight", r, free)
	}
	_, r = decideRate(l, 120, u, free.Add(-time.Microsecond))
	if r.Allowed || r.Exceeded != "minute" || r.DailyCalls != 0 {
		t.Fatalf("after midnight, inside the minute: %+v", r)
	}
	hundred := int64(100)
	l = TokenLimits{DailyLimit: &hundred}
	u, r = decideRate(l, 120, TokenUsage{}, at)
	if r.Remaining != 99 || r.Limit != 120 {
		t.Fatalf("org default, daily limit above it: %+v", r)
	}
	hundred = 5
	if _, r = decideRate(l, 120, u, at); r.Remaining != 3 || !r.ResetAt.Equal(midnight) {
		t.Fatalf("daily limit below the minute's: %+v, want 3 left until midnight", r)
	}
}
