package provisioning

import (
	"context"
	"time"
)

// Session is a signed-in browser session for Rollcall's console and sign-in flows. Only the
// hash of its secret is stored; it lives in the database so every instance sees it.
type Session struct {
	ID        string     `json:"id"`
	UserID    string     `json:"userId"`
	OrgID     string     `json:"orgId,omitempty"`
	CreatedAt time.Time  `json:"createdAt"`
	ExpiresAt time.Time  `json:"expiresAt"`
	EndedAt   *time.Time `json:"endedAt,omitempty"`
}

// SessionTx reads and writes sessions.
type SessionTx interface {
	CreateSession(ctx context.Context, s Session, hash []byte) error
	GetSessionByHash(ctx context.Context, hash []byte) (Session, error)
	EndSession(ctx context.Context, id string, at time.Time) error
	// EndUserSessions ends every open session of a user, in every org.
	EndUserSessions(ctx context.Context, userID string, at time.Time) error
}

// SessionPrefix starts every session secret.
const SessionPrefix = "rcs_"

// SessionTTL is how long a session lives.
const SessionTTL = 12 * time.Hour

// StartSession opens a session for a user, optionally bound to an org (SSO sign-in), and
// returns its secret for the cookie. Run it in tx with the sign-in that proves the user.
func (s *Service) StartSession(ctx context.Context, in Txn, userID, orgID string) (string, Session, error) {
	tx := in.storeTx()
	secret, hash := NewSecret(SessionPrefix)
	now := s.Now()
	sess := Session{ID: NewID(), UserID: userID, OrgID: orgID, CreatedAt: now, ExpiresAt: now.Add(SessionTTL)}
	return secret, sess, tx.CreateSession(ctx, sess, hash)
}

// SessionUser returns the live session and user behind a cookie secret.
func (s *Service) SessionUser(ctx context.Context, secret string) (Session, User, error) {
	var sess Session
	var u User
	err := s.store.View(ctx, func(tx StoreTx) error {
		var err error
		sess, err = tx.GetSessionByHash(ctx, HashSecret(secret))
		if IsCode(err, CodeNotFound) || (err == nil && (sess.EndedAt != nil || !s.Now().Before(sess.ExpiresAt))) {
			return Errorf(CodeUnauthorized, "your session has ended: sign in again")
		}
		if err != nil {
			return err
		}
		u, err = tx.GetUser(ctx, sess.UserID)
		return err
	})
	return sess, u, err
}

// EndSession signs a session out.
func (s *Service) EndSession(ctx context.Context, secret string) error {
	return s.store.Update(ctx, func(tx StoreTx) error {
		sess, err := tx.GetSessionByHash(ctx, HashSecret(secret))
		if IsCode(err, CodeNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return tx.EndSession(ctx, sess.ID, s.Now())
	})
}

// UserActor is the actor of a signed-in user; in an org it acts with its membership's role,
// read fresh on every action.
func UserActor(u User) Actor {
	return Actor{Kind: ActorUser, UserID: u.ID, ID: u.ID, Label: u.Email}
}

// UserOrgs lists the orgs a user belongs to, for the signed-in user themself.
func (s *Service) UserOrgs(ctx context.Context, userID string) ([]UserOrg, error) {
	var out []UserOrg
	err := s.store.View(ctx, func(tx StoreTx) error {
		var err error
		out, err = tx.ListUserOrgs(ctx, userID)
		return err
	})
	return out, err
}
