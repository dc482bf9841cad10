package invites

import (
	"context"

	"github.com/rollcall/rollcall/provisioning"
)

// ListQuery filters an org's invitations.
type ListQuery struct {
	State  provisioning.InvitationState
	Before string
	Limit  int
}

// List returns an org's invitations, newest first, each with its state now (owners, admins).
func (s *Service) List(ctx context.Context, actor provisioning.Actor, orgID string, q ListQuery) ([]provisioning.Invitation, error) {
	if q.State != "" && !q.State.Valid() {
		return nil, provisioning.Invalidf("state", "state must be one of pending, accepted, declined, expired, revoked")
	}
	var out []provisioning.Invitation
	err := s.svc.InviteDoor().View(ctx, func(tx provisioning.InviteTxn) error {
		if _, err := s.svc.Authorize(ctx, tx, actor, orgID, provisioning.RoleAdmin, "see invitations"); err != nil {
			return err
		}
		now := s.svc.Now()
		list, err := tx.ListInvitations(ctx, provisioning.InvitationQuery{OrgID: orgID, State: q.State, Now: now, Before: q.Before, Limit: q.Limit})
		for i := range list {
			list[i].State = list[i].StateAt(now)
		}
		out = list
		return err
	})
	if out == nil {
		out = []provisioning.Invitation{}
	}
	return out, err
}

// Get returns one of an org's invitations (owners, admins).
func (s *Service) Get(ctx context.Context, actor provisioning.Actor, orgID, id string) (provisioning.Invitation, error) {
	var inv provisioning.Invitation
	err := s.svc.InviteDoor().View(ctx, func(tx provisioning.InviteTxn) error {
		if _, err := s.svc.Authorize(ctx, tx, actor, orgID, provisioning.RoleAdmin, "see invitations"); err != nil {
			return err
		}
		var err error
		inv, err = orgInvitation(ctx, tx, orgID, id)
		inv.State = inv.StateAt(s.svc.Now())
		return err
	})
	return inv, err
}

func orgInvitation(ctx context.Context, tx provisioning.InviteTxn, orgID, id string) (provisioning.Invitation, error) {
	inv, err := tx.GetInvitation(ctx, id)
	if err == nil && inv.OrgID != orgID {
		err = provisioning.Errorf(provisioning.CodeNotFound, "invitation not found")
	}
	return inv, err
}

// Resend issues a new link for a pending or expired invitation and emails it; the old link stops
// working at once. It counts against the quota like a new invitation.
func (s *Service) Resend(ctx context.Context, actor provisioning.Actor, orgID, id string) (Issued, error) {
	var out Issued
	err := s.svc.InviteDoor().Update(ctx, func(tx provisioning.InviteTxn) error {
		org, inv, err := s.lockedInvitation(ctx, tx, actor, orgID, id)
		if err != nil {
			return err
		}
		if st := inv.StateAt(s.svc.Now()); st != provisioning.InvitationPending && st != provisioning.InvitationExpired {
			return provisioning.Errorf(provisioning.CodeConflict, "this invitation is %s and cannot be resent: invite %s again instead", st, inv.Email)
		}
		q, err := s.quota(ctx, tx, org)
		if err != nil {
			return err
		}
		out, err = s.issue(ctx, tx, org, inviterOf(ctx, tx, actor), issueReq{email: inv.Email, role: inv.Role, sendEmail: true, action: "invitation.resent"}, &q)
		return err
	})
	return out, err
}

// Revoke withdraws a pending invitation; its link stops working and its seat is released.
func (s *Service) Revoke(ctx context.Context, actor provisioning.Actor, orgID, id string) (provisioning.Invitation, error) {
	var out provisioning.Invitation
	err := s.svc.InviteDoor().Update(ctx, func(tx provisioning.InviteTxn) error {
		_, inv, err := s.lockedInvitation(ctx, tx, actor, orgID, id)
		if err != nil {
			return err
		}
		now := s.svc.Now()
		won, err := tx.DecideInvitation(ctx, inv.ID, provisioning.InvitationRevoked, now)
		if err != nil {
			return err
		}
		if !won {
			return provisioning.Errorf(provisioning.CodeConflict, "this invitation is already %s", inv.StateAt(now))
		}
		out = inv
		out.State, out.DecidedAt, out.UpdatedAt = provisioning.InvitationRevoked, &now, now
		return s.record(ctx, tx, actor, "invitation.revoked", inv, out, "")
	})
	return out, err
}

// lockedInvitation locks the org, reads the invitation and checks that the actor may manage an
// invitation of its role (admin invitations: owners only).
func (s *Service) lockedInvitation(ctx context.Context, tx provisioning.InviteTxn, actor provisioning.Actor, orgID, id string) (provisioning.Org, provisioning.Invitation, error) {
	org, err := s.svc.HoldOrgTx(ctx, tx, orgID)
	if err != nil {
		return org, provisioning.Invitation{}, err
	}
	if _, err := s.svc.Authorize(ctx, tx, actor, orgID, provisioning.RoleAdmin, "manage invitations"); err != nil {
		return org, provisioning.Invitation{}, err
	}
	inv, err := orgInvitation(ctx, tx, orgID, id)
	if err != nil {
		return org, inv, err
	}
	return org, inv, s.svc.MayGrant(ctx, tx, actor, orgID, inv.Role)
}
