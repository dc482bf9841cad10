package provisioning

import "time"

// APIToken is a member's personal API token for one org. Only its hash is stored; the secret
// (prefix mwt_) is shown once at creation.
type APIToken struct {
	ID           string      `json:"id"`
	OrgID        string      `json:"orgId"`
	MembershipID string      `json:"membershipId"`
	UserID       string      `json:"userId"`
	Name         string      `json:"name"`
	Hint         string      `json:"hint"`
	Hash         []byte      `json:"-"`
	CreatedAt    time.Time   `json:"createdAt"`
	LastUsedAt   *time.Time  `json:"lastUsedAt,omitempty"`
	RevokedAt    *time.Time  `json:"revokedAt,omitempty"`
	Limits       TokenLimits `json:"limits"`
	// TotalCalls counts the calls the app's gateway was allowed to make with this token
	// (Usage.Total, for the API).
	TotalCalls int64 `json:"totalCalls"`
	// OwnerEmail is whose token it is, filled in lists.
	OwnerEmail string `json:"ownerEmail,omitempty"`
	// Usage is what the token has used of its limits, as the store read it.
	Usage TokenUsage `json:"-"`
}

// TokenLimits are a token's own limits; nil fields fall back to the org default (rate) or none.
type TokenLimits struct {
	RateLimitPerMinute *int   `json:"rateLimitPerMinute,omitempty"`
	UsageLimit         *int64 `json:"usageLimit,omitempty"`
	DailyLimit         *int64 `json:"dailyLimit,omitempty"`
}

// Validate checks that every set limit is positive.
func (l TokenLimits) Validate() error {
	switch {
	case l.RateLimitPerMinute != nil && (*l.RateLimitPerMinute < 1 || *l.RateLimitPerMinute > 100000):
		return Invalidf("rateLimitPerMinute", "rateLimitPerMinute must be between 1 and 100000")
	case l.UsageLimit != nil && *l.UsageLimit < 1:
		return Invalidf("usageLimit", "usageLimit must be at least 1")
	case l.DailyLimit != nil && *l.DailyLimit < 1:
		return Invalidf("dailyLimit", "dailyLimit must be at least 1")
	}
	return nil
}

// TokenUsage is what a token has used of its limits. Only allowed calls count: a refused call
// uses up no quota.
type TokenUsage struct {
	// Window holds the calls allowed in the last minute, for the per-minute limit.
	Window RateWindow
	// Day is the UTC day DayCalls counts, for the daily limit.
	Day      time.Time
	DayCalls int64
	// Total counts every allowed call, for the usage limit. It only grows, so the store also
	// uses it to notice that another transaction changed the usage.
	Total int64
}

// Active reports whether the token still authenticates.
func (t APIToken) Active() bool { return t.RevokedAt == nil }

// TokenPrefix starts every member API token.
const TokenPrefix = "mwt_"
