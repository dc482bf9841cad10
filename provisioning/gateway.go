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

// TokenGrant is what introspection reads of a member API token in one query: the token, the
// member it acts as and the member's org.
type TokenGrant struct {
	Token  APIToken
	Member Member
	Org    Org
}

// touchMemberEvery bounds how often introspection writes a member's last activity: a gateway
// calling on every request would otherwise write the membership row on every call.
const touchMemberEvery = 30 * time.Second

// OrgRef names an org briefly.
type OrgRef struct {
	ID   string `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// RateLimit is the limiter's decision for one call. The per-minute limit counts the calls
// allowed in the 60 seconds before each call (a sliding window), the daily limit those of the
// UTC day, the usage limit all of them; refused calls count for none.
type RateLimit struct {
	Allowed bool `json:"allowed"`
	// Limit is the per-minute limit.
	Limit int `json:"limit"`
	// Remaining is how many more calls would be allowed right now: the least of what the
	// minute, the day and the usage limit leave.
	Remaining int `json:"remaining"`
	// ResetAt is when Remaining next grows if no call is made before: for a refused call, the
	// first moment a call will be allowed again; zero when that is never (usage limit).
	ResetAt time.Time `json:"resetAt"`
	// Exceeded names the limit that refused the call: minute, daily or usage.
	Exceeded string `json:"exceeded,omitempty"`
	// TotalCalls and DailyCalls count the allowed calls, this one included.
	TotalCalls int64 `json:"totalCalls"`
	DailyCalls int64 `json:"dailyCalls"`
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
		// The usage written is a counter: the decision is exact (ConsumeToken is atomic across
		// transactions), only the last moments of counts may be lost if the database crashes.
		if err := tx.CountersOnly(ctx); err != nil {
			return err
		}
		var err error
		out, err = s.introspectTx(ctx, tx, secret)
		return err
	})
	return out, err
}

func (s *Service) introspectTx(ctx context.Context, tx Tx, secret string) (Introspection, error) {
	g, err := tx.GetTokenGrant(ctx, HashSecret(secret))
	tok, member, org := g.Token, g.Member, g.Org
	if IsCode(err, CodeNotFound) || (err == nil && !SecretMatches(secret, tok.Hash)) {
		return Introspection{Reason: "unknown token"}, nil
	}
	if err != nil {
		return Introspection{}, err
	}
	if !tok.Active() {
		return Introspection{Reason: "token revoked"}, nil
	}
	if member.Status != StatusActive {
		return Introspection{Reason: "membership " + string(member.Status)}, nil
	}
	now := s.Now()
	var rate *RateLimit
	err = tx.ConsumeToken(ctx, tok, now, func(u TokenUsage) TokenUsage {
		u, rate = decideRate(tok.Limits, org.Settings.TokenRateLimitPerMinute, u, now)
		return u
	})
	if err != nil {
		return Introspection{}, err
	}
	if last := member.LastActiveAt; last == nil || now.Sub(*last) >= touchMemberEvery {
		if err := tx.TouchMembership(ctx, member.ID, now); err != nil {
			return Introspection{}, err
		}
	}
	return Introspection{
		Active: true, TokenID: tok.ID, Member: &member, Role: member.Role, HasSeat: member.HasSeat,
		Org:       &OrgRef{ID: org.ID, Slug: org.Slug, Name: org.Name},
		RateLimit: rate,
	}, nil
}
