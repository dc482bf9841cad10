package provisioning

import (
	"context"
	"time"

	"github.com/rollcall/rollcall/seats"
)

// InvitationState is where an email invitation stands.
type InvitationState string

// Invitation states. Expired is never stored: a pending invitation whose expiry has passed reads
// as expired (see Invitation.StateAt), so expiry needs no background job.
const (
	InvitationPending  InvitationState = "pending"
	InvitationAccepted InvitationState = "accepted"
	InvitationDeclined InvitationState = "declined"
	InvitationExpired  InvitationState = "expired"
	InvitationRevoked  InvitationState = "revoked"
)

// Valid reports whether s is a known invitation state.
func (s InvitationState) Valid() bool {
	switch s {
	case InvitationPending, InvitationAccepted, InvitationDeclined, InvitationExpired, InvitationRevoked:
		return true
	}
	return false
}

// Invitation is an email invitation into an org with a role. Its link secret is stored only as
// TokenHash; at most one invitation per email and org is pending at a time.
type Invitation struct {
	ID           string          `json:"id"`
	OrgID        string          `json:"orgId"`
	Email        string          `json:"email"`
	Role         Role            `json:"role"`
	State        InvitationState `json:"state"`
	TokenHash    []byte          `json:"-"`
	InviterID    string          `json:"inviterId,omitempty"`
	InviterLabel string          `json:"inviterLabel,omitempty"`
	SendEmail    bool            `json:"sendEmail"`
	CreatedAt    time.Time       `json:"createdAt"`
	UpdatedAt    time.Time       `json:"updatedAt"`
	// ExpiresAt is nil for invitations that never expire.
	ExpiresAt    *time.Time `json:"expiresAt,omitempty"`
	DecidedAt    *time.Time `json:"decidedAt,omitempty"`
	MembershipID string     `json:"membershipId,omitempty"`
}

// StateAt is the invitation's state at now: a pending invitation past its expiry is expired.
func (i Invitation) StateAt(now time.Time) InvitationState {
	if i.State == InvitationPending && i.ExpiresAt != nil && !now.Before(*i.ExpiresAt) {
		return InvitationExpired
	}
	return i.State
}

// InvitationQuery filters invitations. OrgID or Email must be set.
type InvitationQuery struct {
	OrgID string
	Email string
	// State filters by the state at Now; empty means every state.
	State InvitationState
	Now   time.Time
	// Before is a cursor: only invitations with a smaller id (older).
	Before string
	Limit  int
}

// InviteLink is an org's shareable join link for one role. Only the hash of its secret is kept.
type InviteLink struct {
	OrgID     string    `json:"orgId"`
	Role      Role      `json:"role"`
	TokenHash []byte    `json:"-"`
	Hint      string    `json:"hint"`
	CreatedBy string    `json:"createdBy,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
}

// EmailLogin is a one-time email sign-in link: whoever follows it proves they read Email.
type EmailLogin struct {
	ID    string
	Email string
	// Next is the relative path to land on after sign-in, if the request named one.
	Next      string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

// InviteTx reads and writes invitations, invite links, invitation quotas and email sign-in links.
type InviteTx interface {
	// InsertInvitation adds an invitation; a second pending one for the same org and email is a
	// conflict.
	InsertInvitation(ctx context.Context, inv Invitation) error
	GetInvitation(ctx context.Context, id string) (Invitation, error)
	GetInvitationByHash(ctx context.Context, hash []byte) (Invitation, error)
	// GetPendingInvitation returns the stored-pending invitation of email in org, expired or not.
	GetPendingInvitation(ctx context.Context, orgID, email string) (Invitation, error)
	// ListInvitations lists invitations matching q, newest first.
	ListInvitations(ctx context.Context, q InvitationQuery) ([]Invitation, error)
	// RefreshInvitation rewrites a pending invitation's role, link, inviter, email switch and
	// expiry; it is not_found unless the invitation is still pending.
	RefreshInvitation(ctx context.Context, inv Invitation) error
	// DecideInvitation moves a pending invitation to state at time at. It reports false, and
	// changes nothing, when the invitation is no longer pending: of racing decisions exactly one
	// wins.
	DecideInvitation(ctx context.Context, id string, state InvitationState, at time.Time) (bool, error)
	// SetInvitationMembership records the membership an accepted invitation produced.
	SetInvitationMembership(ctx context.Context, id, membershipID string) error
	// AddInviteSends counts n invitation emails of an org on day (UTC, "2006-01-02").
	AddInviteSends(ctx context.Context, orgID, day string, n int) error
	// CountInviteSends sums an org's counted invitations on days >= sinceDay ("" for all time).
	CountInviteSends(ctx context.Context, orgID, sinceDay string) (int, error)
	GetInviteLink(ctx context.Context, orgID string, role Role) (InviteLink, error)
	GetInviteLinkByHash(ctx context.Context, hash []byte) (InviteLink, error)
	// PutInviteLink creates or replaces the link of (org, role); the old secret stops working.
	PutInviteLink(ctx context.Context, l InviteLink) error
	DeleteInviteLink(ctx context.Context, orgID string, role Role) error
	InsertEmailLogin(ctx context.Context, l EmailLogin, hash []byte) error
	GetEmailLoginByHash(ctx context.Context, hash []byte) (EmailLogin, error)
	// UseEmailLogin marks a sign-in link used; it reports false when it was used already.
	UseEmailLogin(ctx context.Context, id string, at time.Time) (bool, error)
	// PurgeSignIns deletes sign-in links and sessions that expired or ended before before, and
	// rate-limit windows that started before it; it returns how many rows went.
	PurgeSignIns(ctx context.Context, before time.Time) (int64, error)
}

// InvitationSeatTx decides whether a pending invitation for role may hold a seat: when the org
// reserves seats for invitations and none is free, a seat-role invitation is refused. replaced
// is the address's own pending invitation about to be renewed, whose seat does not count. The
// caller holds the org's write lock (tx.LockOrg) so racing invitations see each other.
func (s *Service) InvitationSeatTx(ctx context.Context, in Txn, org Org, role Role, replaced *Invitation) error {
	tx := in.storeTx()
	if !role.NeedsSeat() || !org.Settings.ReserveSeatsForInvites || org.SeatLimit.IsUnlimited() {
		return nil
	}
	now := s.Now()
	used, err := tx.CountSeatsUsed(ctx, org.ID, true, now)
	if err != nil {
		return err
	}
	if replaced != nil && replaced.Role.NeedsSeat() && replaced.StateAt(now) == InvitationPending {
		used--
	}
	u := seats.Usage{Used: used, Limit: org.SeatLimit}
	if !u.HasFree(1) {
		return Errorf(CodeSeatLimit, "no free seat for another %s invitation: %s seats used, pending invitations included; raise the seat limit, free a seat, or invite as viewer", role, u)
	}
	return nil
}

// settleInvitation marks the pending invitation of a person who joins another way accepted, and
// returns it; nil when there is none or the email is not proven (a directory's say-so does not
// accept an invitation for someone).
func (s *Service) settleInvitation(ctx context.Context, tx StoreTx, org Org, req ProvisionRequest, u User) (*Invitation, error) {
	if req.Entrance == EntranceInvite || !req.Identity.EmailVerified {
		return nil, nil
	}
	inv, err := tx.GetPendingInvitation(ctx, org.ID, u.Email)
	if IsCode(err, CodeNotFound) {
		return nil, nil
	}
	now := s.Now()
	if err != nil || inv.StateAt(now) != InvitationPending {
		return nil, err
	}
	won, err := tx.DecideInvitation(ctx, inv.ID, InvitationAccepted, now)
	if err != nil || !won {
		return nil, err
	}
	return &inv, nil
}

// recordSettled links a settled invitation to the membership and records its acceptance.
func (s *Service) recordSettled(ctx context.Context, tx StoreTx, req ProvisionRequest, inv Invitation, membershipID string) error {
	if err := tx.SetInvitationMembership(ctx, inv.ID, membershipID); err != nil {
		return err
	}
	before := map[string]any{"email": inv.Email, "role": inv.Role, "state": InvitationPending}
	after := map[string]any{"email": inv.Email, "role": inv.Role, "state": InvitationAccepted}
	return s.record(ctx, tx, Change{Actor: req.Actor, OrgID: inv.OrgID, Entrance: req.Entrance, Action: "invitation.accepted",
		TargetType: "invitation", TargetID: inv.ID, Before: before, After: after,
		Reason: "joined through " + string(req.Entrance) + " while invited", Webhook: true})
}
