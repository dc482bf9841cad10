package invites

import (
	"context"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

// issueReq is one invitation to write.
type issueReq struct {
	email     string
	role      provisioning.Role
	sendEmail bool
	action    string
}

// issue creates or refreshes the one pending invitation of an address inside tx, with the org
// locked: it refuses members, checks the seat and the quota, writes the invitation with a new
// link (the old one dies), enqueues its email and counts it against the quota (only emails
// sent count: an invitation whose link the admin copies costs nothing), and records it.
// Refusals are checked before any write, so a refused address leaves nothing behind.
func (s *Service) issue(ctx context.Context, tx provisioning.InviteTxn, org provisioning.Org, by inviter, r issueReq, q *QuotaStatus) (Issued, error) {
	if err := refuseMember(ctx, tx, org, r.email); err != nil {
		return Issued{}, err
	}
	var pending *provisioning.Invitation
	p, err := tx.GetPendingInvitation(ctx, org.ID, r.email)
	switch {
	case err == nil:
		pending = &p
	case !provisioning.IsCode(err, provisioning.CodeNotFound):
		return Issued{}, err
	}
	if err := s.svc.InvitationSeatTx(ctx, tx, org, r.role, pending); err != nil {
		return Issued{}, err
	}
	if r.sendEmail && !q.allows(1) {
		return Issued{}, quotaError(*q)
	}
	secret, hash := provisioning.NewSecret(InvitationPrefix)
	now := s.svc.Now()
	inv := provisioning.Invitation{ID: provisioning.NewID(), OrgID: org.ID, Email: r.email, State: provisioning.InvitationPending, CreatedAt: now}
	var before provisioning.Invitation
	if pending != nil {
		before, inv = *pending, *pending
	}
	inv.Role, inv.TokenHash, inv.InviterID, inv.InviterLabel = r.role, hash, by.id, by.label
	inv.SendEmail, inv.UpdatedAt, inv.ExpiresAt = r.sendEmail, now, expiry(org, now)
	if pending != nil {
		err = tx.RefreshInvitation(ctx, inv)
	} else {
		err = tx.InsertInvitation(ctx, inv)
	}
	if err != nil {
		return Issued{}, err
	}
	link := s.url("/invitations/" + secret)
	if r.sendEmail {
		if err := tx.AddInviteSends(ctx, org.ID, day(now), 1); err != nil {
			return Issued{}, err
		}
		q.take(1)
		if err := s.mailInvitation(ctx, tx, org, inv, link); err != nil {
			return Issued{}, err
		}
	}
	if err := s.record(ctx, tx, by.actor, r.action, before, inv, ""); err != nil {
		return Issued{}, err
	}
	return Issued{Invitation: inv, Link: link, Refreshed: pending != nil}, nil
}

// refuseMember refuses to invite an active or suspended member; removed members may come back.
func refuseMember(ctx context.Context, tx provisioning.InviteTxn, org provisioning.Org, email string) error {
	u, err := tx.GetUserByEmail(ctx, email)
	if provisioning.IsCode(err, provisioning.CodeNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	m, err := tx.GetMembership(ctx, org.ID, u.ID)
	switch {
	case provisioning.IsCode(err, provisioning.CodeNotFound):
		return nil
	case err != nil:
		return err
	case m.Status == provisioning.StatusActive:
		return provisioning.Errorf(provisioning.CodeConflict, "%s is already a member of %s", email, org.Name)
	case m.Status == provisioning.StatusSuspended:
		return provisioning.Errorf(provisioning.CodeConflict, "%s is a suspended member of %s: reactivate them instead of inviting", email, org.Name)
	}
	return nil
}

func (s *Service) mailInvitation(ctx context.Context, tx provisioning.InviteTxn, org provisioning.Org, inv provisioning.Invitation, link string) error {
	d := mailData{OrgName: org.Name, Inviter: inv.InviterLabel, Role: inv.Role, Link: link}
	if inv.ExpiresAt != nil {
		d.Expires = inv.ExpiresAt.UTC().Format("2 January 2006 at 15:04 UTC")
	}
	m, err := render("invitation", inv.Email, inv.InviterLabel+" invited you to join "+org.Name, d)
	if err != nil {
		return err
	}
	return s.enqueue(ctx, tx, org.ID, m)
}

// snapshot is what the audit log keeps of an invitation.
type snapshot struct {
	Email     string                       `json:"email"`
	Role      provisioning.Role            `json:"role"`
	State     provisioning.InvitationState `json:"state"`
	SendEmail bool                         `json:"sendEmail"`
	ExpiresAt *time.Time                   `json:"expiresAt,omitempty"`
}

func snap(i provisioning.Invitation) *snapshot {
	if i.ID == "" {
		return nil
	}
	return &snapshot{Email: i.Email, Role: i.Role, State: i.State, SendEmail: i.SendEmail, ExpiresAt: i.ExpiresAt}
}

// record appends an invitation change to the audit log and the webhook outbox.
func (s *Service) record(ctx context.Context, tx provisioning.InviteTxn, actor provisioning.Actor, action string, before, after provisioning.Invitation, reason string) error {
	return s.svc.Record(ctx, tx, provisioning.Change{
		Actor: actor, OrgID: after.OrgID, Entrance: provisioning.EntranceInvite, Action: action,
		TargetType: "invitation", TargetID: after.ID, Before: snap(before), After: snap(after),
		Reason: reason, Webhook: true,
	})
}
