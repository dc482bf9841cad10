package provisioning

import (
	"math"
	"time"
)

// rateBound is one limit's state for a call: how many calls it still leaves and when that
// number next grows (zero: never).
type rateBound struct {
	name  string
	left  int64
	reset time.Time
}

// decideRate applies the per-minute (sliding), daily (UTC day) and usage limits to one call at
// now and returns the usage after it with the decision. A refused call uses up nothing.
func decideRate(l TokenLimits, orgDefault int, u TokenUsage, now time.Time) (TokenUsage, *RateLimit) {
	limit := orgDefault
	if l.RateLimitPerMinute != nil {
		limit = *l.RateLimitPerMinute
	}
	day := now.UTC().Truncate(24 * time.Hour)
	if !u.Day.Equal(day) {
		u.Day, u.DayCalls = day, 0
	}
	usage := rateBound{name: "usage", left: math.MaxInt64}
	if l.UsageLimit != nil {
		usage.left = *l.UsageLimit - u.Total
	}
	daily := rateBound{name: "daily", left: math.MaxInt64, reset: day.Add(24 * time.Hour)}
	if l.DailyLimit != nil {
		daily.left = *l.DailyLimit - u.DayCalls
	}
	allowed := usage.left > 0 && daily.left > 0 && u.Window.Allow(now, limit)
	if allowed {
		u.DayCalls++
		u.Total++
		usage.left--
		daily.left--
	}
	used := u.Window.Count(now)
	minute := rateBound{name: "minute", left: max(0, int64(limit)-used),
		reset: u.Window.FreeAt(now, min(used, int64(limit)))}
	r := &RateLimit{Allowed: allowed, Limit: limit, TotalCalls: u.Total, DailyCalls: u.DayCalls}
	r.Remaining, r.ResetAt = binding(usage, daily, minute)
	if !allowed {
		for _, b := range []rateBound{usage, daily, minute} {
			if b.left <= 0 {
				r.Exceeded = b.name
				break
			}
		}
	}
	return u, r
}

// binding returns the calls left under every bound and when that number next grows: the latest
// reset of the bounds that leave the fewest (never, if one of them never resets).
func binding(bounds ...rateBound) (int, time.Time) {
	least := int64(math.MaxInt64)
	for _, b := range bounds {
		least = min(least, max(0, b.left))
	}
	var reset time.Time
	for _, b := range bounds {
		if max(0, b.left) != least {
			continue
		}
		if b.reset.IsZero() {
			return int(least), time.Time{}
		}
		if b.reset.After(reset) {
			reset = b.reset
		}
	}
	return int(least), reset
}
