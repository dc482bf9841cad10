package provisioning

import (
	"context"
	"strings"
	"time"
)

// Introspection is what the SaaS app's gateway learns about a member API token: who it acts
// as, with which role and seat, and whether this call is within the token's limits.
type Introspection struct {
	Active bool `json:"active"`
	// Reason says why an inactive token is inactive.
	Reason    string     `json:"reason,omitempty"`
	TokenID   string     `json:"tokenId,omitempty"`
	Member    *Member    `json:"member,omitempty"`
	Org       *OrgRef    `json:"org,omitempty"`
	Role      Role       `json:"role,omitempty"`
	HasSeat   bool       `json:"hasSeat"`
	RateLimit *RateLimit `json:"rateLimit,omitempty"`
}

// OrgRef names an org briefly.
type OrgRef struct {
	ID   string `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// RateLimit is the limiter's decision for one call.
type RateLimit struct {
	Allowed   bool      `json:"allowed"`
	Limit     int       `json:"limit"`
	Remaining int       `json:"remaining"`
	ResetAt   time.Time `json:"resetAt"`
	// Exceeded names the limit that refused the call: minute, daily or usage.
	Exceeded   string `json:"exceeded,omitempty"`
	TotalCalls int64  `json:"totalCalls"`
	DailyCalls int64  `json:"dailyCalls"`
}

// Introspect checks a member API token for the SaaS app's gateway and counts the call against
// its limits. Revocation, removal and role changes show in the very next call: nothing is
// cached. Operator only.
func (s *Service) Introspect(ctx context.Context, actor Actor, secret string) (Introspection, error) {
	if !actor.IsOperator() {
		return Introspection{}, Errorf(CodeForbidden, "only the operator key may introspect tokens")
	}
	secret = strings.TrimSpace(secret)
	if secret == "" {
		return Introspection{}, Invalidf("token", "token is required")
	}
	var out Introspection
	err := s.store.Update(ctx, func(tx StoreTx) error {
		var err error
		out, err = s.introspectTx(ctx, tx, secret)
		return err
	})
	return out, err
}

func (s *Service) introspectTx(ctx context.Context, tx Tx, secret string) (Introspection, error) {
	tok, err := tx.GetTokenByHash(ctx, HashSecret(secret))
	if IsCode(err, CodeNotFound) || (err == nil && !SecretMatches(secret, tok.Hash)) {
		return Introspection{Reason: "unknown token"}, nil
	}
	if err != nil {
		return Introspection{}, err
	}
	if !tok.Active() {
		return Introspection{Reason: "token revoked"}, nil
	}
	member, err := tx.GetMember(ctx, tok.OrgID, tok.MembershipID)
	if err != nil {
		return Introspection{}, err
	}
	if member.Status != StatusActive {
		return Introspection{Reason: "membership " + string(member.Status)}, nil
	}
	org, err := tx.GetOrg(ctx, tok.OrgID)
	if err != nil {
		return Introspection{}, err
	}
	now := s.Now()
	counts, err := tx.ConsumeToken(ctx, tok.ID, now)
	if err != nil {
		return Introspection{}, err
	}
	if err := tx.TouchMembership(ctx, member.ID, now); err != nil {
		return Introspection{}, err
	}
	return Introspection{
		Active: true, TokenID: tok.ID, Member: &member, Role: member.Role, HasSeat: member.HasSeat,
		Org:       &OrgRef{ID: org.ID, Slug: org.Slug, Name: org.Name},
		RateLimit: decideRate(tok.Limits, org.Settings.TokenRateLimitPerMinute, counts, now),
	}, nil
}

// decideRate applies the minute, daily and total limits to the counters after this call.
func decideRate(l TokenLimits, orgDefault int, c TokenCounts, now time.Time) *RateLimit {
	limit := orgDefault
	if l.RateLimitPerMinute != nil {
		limit = *l.RateLimitPerMinute
	}
	r := &RateLimit{Allowed: true, Limit: limit, Remaining: max(0, limit-int(c.Minute)),
		ResetAt: now.UTC().Truncate(time.Minute).Add(time.Minute), TotalCalls: c.Total, DailyCalls: c.Day}
	switch {
	case l.UsageLimit != nil && c.Total > *l.UsageLimit:
		r.Allowed, r.Exceeded, r.Remaining, r.ResetAt = false, "usage", 0, time.Time{}
	case l.DailyLimit != nil && c.Day > *l.DailyLimit:
		r.Allowed, r.Exceeded, r.Remaining = false, "daily", 0
		r.ResetAt = now.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	case int(c.Minute) > limit:
		r.Allowed, r.Exceeded = false, "minute"
	}
	return r
}
