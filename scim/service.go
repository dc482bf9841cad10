// Package scim is Rollcall's SCIM 2.0 directory (RFC 7643/7644) for Okta, Microsoft Entra ID
// and other IdPs. It serves /scim/v2 on github.com/elimity-com/scim, keeps users and groups in
// the store and sends every membership change through the provisioning pipeline with the
// entrance scim. Directory tokens (scim_…) select the org.
package scim

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

// Options configure the directory.
type Options struct {
	// RateLimitPerMinute caps the requests of one org's directory per minute, counted in the
	// database so the limit holds across instances (leased in blocks, see ratelimit.go). 0
	// means DefaultRateLimit; negative disables the limit.
	RateLimitPerMinute int
	// MaxBodyBytes caps request bodies; 0 means DefaultMaxBody.
	MaxBodyBytes int64
	// MaxResults caps a list page (the count parameter); 0 means DefaultMaxResults.
	MaxResults int
	// MaxFilterLength caps a list filter (GET ?filter= or a POST /.search body's filter) in
	// bytes; 0 means DefaultMaxFilterLength. Longer filters answer 400 invalidFilter.
	MaxFilterLength int
	// MaxFilterTerms caps the comparisons of a list filter; 0 means DefaultMaxFilterTerms.
	MaxFilterTerms int
	// MaxFilterDepth caps how deep a list filter nests parentheses and value-path brackets;
	// 0 means DefaultMaxFilterDepth.
	MaxFilterDepth int
	// MaxValues caps the values of each multi-valued attribute of a user or group (emails,
	// phoneNumbers, addresses, roles, …), as sent or as a PATCH leaves it; group members are not
	// counted (they are written in batches). 0 means DefaultMaxValues. Beyond it: 400
	// invalidValue.
	MaxValues int
	// MemberBatch is how many member ids of a group change one transaction applies; a larger
	// change commits in batches (see groups.patchInBatches). 0 means DefaultMemberBatch.
	MemberBatch int
	// BaseURL is the directory's external URL, e.g. https://rollcall.example.com/scim/v2. When
	// set, Location headers and meta.location are absolute; otherwise relative (Users/<id>).
	BaseURL string
	Logger  *slog.Logger
}

// Defaults of Options.
const (
	DefaultRateLimit  = 1200
	DefaultMaxBody    = 4 << 20
	DefaultMaxResults = 200

	DefaultMaxFilterLength = 2048
	DefaultMaxFilterTerms  = 50
	DefaultMaxFilterDepth  = 10
	DefaultMaxValues       = 100
	DefaultMemberBatch     = 500
	// SingleWriterMemberBatch is MemberBatch for a database with a single writer (SQLite):
	// each batch holds the whole database's write lock, every org's writes wait for it, and
	// small batches cost little there (no round trips).
	SingleWriterMemberBatch = 100
)

// Service is the SCIM directory over the provisioning core.
type Service struct {
	core *provisioning.Service
	opts Options
	log  *slog.Logger
	// activity holds answered requests until they are written to their org's ring.
	activity recorder
	// batchDone, when set (by tests), runs after each committed batch of a large group change.
	batchDone func()
	// leases hold this instance's shares of each org's rate limit (ratelimit.go).
	leases rateLeases
}

// New builds the directory service.
func New(core *provisioning.Service, o Options) *Service {
	if o.RateLimitPerMinute == 0 {
		o.RateLimitPerMinute = DefaultRateLimit
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBody
	}
	if o.MaxResults <= 0 {
		o.MaxResults = DefaultMaxResults
	}
	o.MaxFilterLength = orDefault(o.MaxFilterLength, DefaultMaxFilterLength)
	o.MaxFilterTerms = orDefault(o.MaxFilterTerms, DefaultMaxFilterTerms)
	o.MaxFilterDepth = orDefault(o.MaxFilterDepth, DefaultMaxFilterDepth)
	o.MaxValues = orDefault(o.MaxValues, DefaultMaxValues)
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{core: core, opts: o, log: o.Logger}
}

func orDefault(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

func (s *Service) door() provisioning.Door[provisioning.DirectoryTxn] { return s.core.DirectoryDoor() }

// CreateToken issues a directory token for the org (owners and admins). The secret is in the
// answer only; the store keeps its hash.
func (s *Service) CreateToken(ctx context.Context, actor provisioning.Actor, orgID, name string) (provisioning.DirectoryToken, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		name = "SCIM directory"
	}
	if len(name) > 100 {
		return provisioning.DirectoryToken{}, provisioning.Invalidf("name", "name is longer than 100 characters")
	}
	secret, hash := provisioning.NewSecret(provisioning.DirectoryTokenPrefix)
	tok := provisioning.DirectoryToken{ID: provisioning.NewID(), OrgID: orgID, Name: name,
		Hint: provisioning.SecretHint(secret), Hash: hash, CreatedAt: s.core.Now()}
	err := s.door().Update(ctx, func(tx provisioning.DirectoryTxn) error {
		a, err := s.core.Authorize(ctx, tx, actor, orgID, provisioning.RoleAdmin, "manage the SCIM directory")
		if err != nil {
			return err
		}
		tok.CreatedBy = a.ID
		if err := tx.CreateDirectoryToken(ctx, tok); err != nil {
			return err
		}
		return s.core.Record(ctx, tx, provisioning.Change{Actor: a, OrgID: orgID, Entrance: provisioning.EntranceSCIM,
			Action: "scim_token.created", TargetType: "scim_token", TargetID: tok.ID, After: tok})
	})
	tok.Secret = secret
	return tok, err
}

// ListTokens lists the org's directory tokens, live and revoked (owners and admins).
func (s *Service) ListTokens(ctx context.Context, actor provisioning.Actor, orgID string) ([]provisioning.DirectoryToken, error) {
	var out []provisioning.DirectoryToken
	err := s.door().View(ctx, func(tx provisioning.DirectoryTxn) error {
		if _, err := s.core.Authorize(ctx, tx, actor, orgID, provisioning.RoleAdmin, "manage the SCIM directory"); err != nil {
			return err
		}
		var err error
		out, err = tx.ListDirectoryTokens(ctx, orgID)
		return err
	})
	return out, err
}

// RevokeToken revokes a directory token at once (owners and admins).
func (s *Service) RevokeToken(ctx context.Context, actor provisioning.Actor, orgID, id string) error {
	return s.door().Update(ctx, func(tx provisioning.DirectoryTxn) error {
		a, err := s.core.Authorize(ctx, tx, actor, orgID, provisioning.RoleAdmin, "manage the SCIM directory")
		if err != nil {
			return err
		}
		if err := tx.RevokeDirectoryToken(ctx, orgID, id, s.core.Now()); err != nil {
			return err
		}
		return s.core.Record(ctx, tx, provisioning.Change{Actor: a, OrgID: orgID, Entrance: provisioning.EntranceSCIM,
			Action: "scim_token.revoked", TargetType: "scim_token", TargetID: id})
	})
}

// touchEvery bounds how often a token's last use is written.
const touchEvery = 30 * time.Second

// authenticate turns a bearer token into the directory actor of its org and counts the request
// against the org's rate limit. retryAfter > 0 means the limit is exceeded. It reads the token
// and its creator's authority in a read-only transaction; it writes only the token's last use,
// at most every touchEvery, and the org's shared rate count once per lease (ratelimit.go).
// The create and the reads of users and groups check their token in their own transaction
// instead (see admitted and viewing).
func (s *Service) authenticate(ctx context.Context, bearer string) (actor provisioning.Actor, retryAfter time.Duration, err error) {
	now := s.core.Now()
	var tok provisioning.DirectoryToken
	err = s.door().View(ctx, func(tx provisioning.DirectoryTxn) error {
		var err error
		actor, tok, err = s.checkToken(ctx, tx, bearer)
		return err
	})
	if err != nil {
		return provisioning.Actor{}, 0, err
	}
	if touchDue(tok, now) {
		if err := s.touchToken(ctx, tok, now); err != nil {
			return provisioning.Actor{}, 0, err
		}
	}
	if s.opts.RateLimitPerMinute < 0 {
		return actor, 0, nil
	}
	retryAfter, err = s.take(ctx, tok.OrgID, now)
	return actor, retryAfter, err
}

// touchToken writes the token's last use at now, in a transaction of its own, unless another
// request wrote one within touchEvery.
func (s *Service) touchToken(ctx context.Context, tok provisioning.DirectoryToken, now time.Time) error {
	return s.door().Update(ctx, func(tx provisioning.DirectoryTxn) error {
		if err := tx.CountersOnly(ctx); err != nil {
			return err
		}
		return tx.TouchDirectoryTokenBefore(ctx, tok.ID, now, now.Add(-touchEvery))
	})
}

// touchDue reports whether the token's last use is to be written at now.
func touchDue(tok provisioning.DirectoryToken, now time.Time) bool {
	return tok.LastUsedAt == nil || now.Sub(*tok.LastUsedAt) >= touchEvery
}

// checkToken reads the bearer's token and its creator's authority in tx and returns the
// directory actor: an unknown, altered or revoked token is unauthorized.
func (s *Service) checkToken(ctx context.Context, tx provisioning.DirectoryTxn, bearer string) (provisioning.Actor, provisioning.DirectoryToken, error) {
	bad := provisioning.Errorf(provisioning.CodeUnauthorized, "invalid or revoked directory token")
	if !strings.HasPrefix(bearer, provisioning.DirectoryTokenPrefix) {
		return provisioning.Actor{}, provisioning.DirectoryToken{}, bad
	}
	tok, err := tx.GetDirectoryTokenByHash(ctx, provisioning.HashSecret(bearer))
	if provisioning.IsCode(err, provisioning.CodeNotFound) {
		return provisioning.Actor{}, tok, bad
	}
	if err != nil {
		return provisioning.Actor{}, tok, err
	}
	if !provisioning.SecretMatches(bearer, tok.Hash) {
		return provisioning.Actor{}, tok, bad
	}
	noteToken(ctx, tok)
	if !tok.Active() {
		return provisioning.Actor{}, tok, bad
	}
	authority, err := provisioning.DirectoryAuthority(ctx, tx, tok)
	if err != nil {
		return provisioning.Actor{}, tok, err
	}
	return provisioning.Actor{Kind: provisioning.ActorDirectory, ID: tok.ID, OrgID: tok.OrgID, Role: authority,
		TokenID: tok.ID, Label: "directory: " + tok.Name}, tok, nil
}
