package provisioning

import (
	"context"
	"encoding/base64"
	"strings"
	"time"
	"unicode/utf8"
)

// OperatorKeyPrefix starts the operator key.
const OperatorKeyPrefix = "rk_"

const operatorKeySetting = "operator_key_sha256"

// EnsureOperatorKey installs the operator key. A configured key always wins and is stored
// hashed; without one, a key is generated on first start and returned once (generated true).
func (s *Service) EnsureOperatorKey(ctx context.Context, configured string) (key string, generated bool, err error) {
	if configured != "" {
		if len(configured) < 16 {
			return "", false, Invalidf("operator-key", "the operator key must be at least 16 characters")
		}
		hash := HashSecret(configured)
		err := s.store.Update(ctx, func(tx StoreTx) error {
			return tx.PutSetting(ctx, operatorKeySetting, encodeHash(hash))
		})
		if err == nil {
			s.rememberOperatorKey(hash)
		}
		return configured, false, err
	}
	secret, hash := NewSecret(OperatorKeyPrefix)
	err = s.store.Update(ctx, func(tx StoreTx) error {
		generated, err = tx.PutSettingIfAbsent(ctx, operatorKeySetting, encodeHash(hash))
		return err
	})
	if err != nil || !generated {
		return "", false, err
	}
	return secret, true, nil
}

func encodeHash(h []byte) string { return base64.StdEncoding.EncodeToString(h) }

// Authenticate turns a bearer credential into an actor: the operator key (its hash re-read at
// most once a second, operatorKeyTTL), or a member API token whose membership is read fresh
// (no cache), so revocations apply to the next request.
func (s *Service) Authenticate(ctx context.Context, bearer string) (Actor, error) {
	bad := Errorf(CodeUnauthorized, "invalid or revoked credentials")
	switch {
	case strings.HasPrefix(bearer, TokenPrefix):
		return s.authenticateToken(ctx, bearer, bad)
	case bearer != "":
		hash, err := s.operatorKeyHash(ctx)
		if err != nil {
			return Actor{}, err
		}
		if len(hash) > 0 && SecretMatches(bearer, hash) {
			return Operator(), nil
		}
	}
	return Actor{}, bad
}

// touchEvery bounds how often a token's last-used time is written: reads stay reads.
const touchEvery = 30 * time.Second

func (s *Service) authenticateToken(ctx context.Context, bearer string, bad error) (Actor, error) {
	var actor Actor
	var tok APIToken
	err := s.store.View(ctx, func(tx StoreTx) error {
		var err error
		tok, err = tx.GetTokenByHash(ctx, HashSecret(bearer))
		if IsCode(err, CodeNotFound) {
			return bad
		}
		if err != nil {
			return err
		}
		if !tok.Active() || !SecretMatches(bearer, tok.Hash) {
			return bad
		}
		m, err := tx.GetMembershipByID(ctx, tok.OrgID, tok.MembershipID)
		if err != nil || m.Status != StatusActive {
			return bad
		}
		u, err := tx.GetUser(ctx, m.UserID)
		if err != nil {
			return err
		}
		actor = Actor{Kind: ActorMember, ID: m.ID, UserID: m.UserID, OrgID: m.OrgID, Role: m.Role,
			TokenID: tok.ID, Label: u.Email}
		return nil
	})
	if err != nil {
		return Actor{}, err
	}
	now := s.Now()
	if tok.LastUsedAt == nil || now.Sub(*tok.LastUsedAt) >= touchEvery {
		err = s.store.Update(ctx, func(tx StoreTx) error {
			if err := tx.TouchToken(ctx, tok.ID, now); err != nil {
				return err
			}
			return tx.TouchMembership(ctx, actor.ID, now)
		})
	}
	return actor, err
}

// NewToken is a token just created: its secret is shown this once.
type NewToken struct {
	APIToken
	Secret string `json:"secret"`
}

// CreateToken creates a personal API token for the calling member, signed in or calling with
// a token. Viewers cannot.
func (s *Service) CreateToken(ctx context.Context, actor Actor, orgID, name string, limits TokenLimits) (NewToken, error) {
	name = CleanDisplay(name, 101)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return NewToken{}, Invalidf("name", "token name must be 1-100 characters")
	}
	if err := limits.Validate(); err != nil {
		return NewToken{}, err
	}
	if actor.Kind != ActorMember && actor.Kind != ActorUser {
		return NewToken{}, Errorf(CodeForbidden, "API tokens belong to members; the operator key needs none")
	}
	var out NewToken
	err := s.store.Update(ctx, func(tx StoreTx) error {
		c, err := need(ctx, tx, actor, orgID, RoleMember, "create API tokens")
		if err != nil {
			return err
		}
		secret, hash := NewSecret(TokenPrefix)
		tok := APIToken{ID: NewID(), OrgID: orgID, MembershipID: c.membership.ID, UserID: c.membership.UserID,
			Name: name, Hint: SecretHint(secret), Hash: hash, CreatedAt: s.Now(), Limits: limits}
		if err := tx.CreateToken(ctx, tok); err != nil {
			return err
		}
		out = NewToken{APIToken: tok, Secret: secret}
		return s.record(ctx, tx, Change{Actor: c.Actor, OrgID: orgID, Action: "token.created",
			TargetType: "token", TargetID: tok.ID, After: tok})
	})
	return out, err
}

// ListTokens lists the caller's own tokens, or with all set the org's tokens an admin may see
// (owners see every token, admins all but owners').
func (s *Service) ListTokens(ctx context.Context, actor Actor, orgID string, all bool) ([]APIToken, error) {
	var out []APIToken
	err := s.store.View(ctx, func(tx StoreTx) error {
		min := RoleMember
		if all {
			min = RoleAdmin
		}
		c, err := need(ctx, tx, actor, orgID, min, "list API tokens")
		if err != nil {
			return err
		}
		scope := c.membership.ID
		if all {
			scope = ""
		}
		toks, err := tx.ListTokens(ctx, orgID, scope)
		if err != nil {
			return err
		}
		emails := map[string]string{}
		for _, t := range toks {
			ok, err := c.maySeeToken(ctx, tx, t)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			if _, known := emails[t.UserID]; !known {
				u, err := tx.GetUser(ctx, t.UserID)
				if err != nil {
					return err
				}
				emails[t.UserID] = u.Email
			}
			t.OwnerEmail = emails[t.UserID]
			out = append(out, t)
		}
		return nil
	})
	return out, err
}

// maySeeToken applies the token rows of the role table.
func (c caller) maySeeToken(ctx context.Context, tx Tx, t APIToken) (bool, error) {
	if !c.operator() && t.MembershipID == c.membership.ID {
		return true, nil
	}
	switch c.role() {
	case RoleOwner:
		return true, nil
	case RoleAdmin:
		owner, err := tx.GetMembershipByID(ctx, t.OrgID, t.MembershipID)
		if err != nil {
			return false, err
		}
		return owner.Role != RoleOwner, nil
	}
	return false, nil
}

// RevokeToken revokes a token: one's own, or another member's as the role table allows.
func (s *Service) RevokeToken(ctx context.Context, actor Actor, orgID, tokenID string) error {
	return s.store.Update(ctx, func(tx StoreTx) error {
		c, err := need(ctx, tx, actor, orgID, RoleMember, "revoke API tokens")
		if err != nil {
			return err
		}
		tok, err := tx.GetToken(ctx, orgID, tokenID)
		if err != nil {
			return err
		}
		ok, err := c.maySeeToken(ctx, tx, tok)
		if err != nil {
			return err
		}
		if !ok {
			if c.role().IsAdmin() {
				return Errorf(CodeForbidden, "admins cannot revoke an owner's tokens")
			}
			return Errorf(CodeNotFound, "token not found")
		}
		if err := tx.RevokeToken(ctx, orgID, tokenID, s.Now()); err != nil {
			return err
		}
		return s.record(ctx, tx, Change{Actor: c.Actor, OrgID: orgID, Action: "token.revoked",
			TargetType: "token", TargetID: tokenID})
	})
}
