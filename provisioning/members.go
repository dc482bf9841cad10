package provisioning

import (
	"context"

	"github.com/rollcall/rollcall/seats"
)

// AddMemberInput is an admin's manual add of a person by email.
type AddMemberInput struct {
	Email     string `json:"email"`
	Role      Role   `json:"role"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
}

// AddMember adds (or brings back) a person through the pipeline with entrance manual.
func (s *Service) AddMember(ctx context.Context, actor Actor, orgID string, in AddMemberInput) (Member, error) {
	if in.Role == "" {
		in.Role = RoleMember
	}
	if !in.Role.Valid() {
		return Member{}, Invalidf("role", "unknown role %q: use owner, admin, member or viewer", in.Role)
	}
	var out Member
	err := s.store.Update(ctx, func(tx StoreTx) error {
		c, err := resolve(ctx, tx, actor, orgID)
		if err != nil {
			return err
		}
		if err := c.mayGrant(in.Role); err != nil {
			return err
		}
		res, err := s.provisionTx(ctx, tx, ProvisionRequest{
			OrgID: orgID, Entrance: EntranceManual, Actor: c.Actor, Role: in.Role,
			Identity: Identity{Email: in.Email, FirstName: in.FirstName, LastName: in.LastName},
		})
		out = NewMember(res.Membership, res.User)
		return err
	})
	return out, err
}

// memberChange is the shared shape of role changes, suspensions and removals: lock the org,
// resolve the caller, load the target, let apply decide, write and audit.
func (s *Service) memberChange(ctx context.Context, actor Actor, orgID, membershipID, action string,
	apply func(tx Tx, c caller, org Org, m *Membership) error) (Member, error) {
	var out Member
	err := s.store.Update(ctx, func(tx StoreTx) error {
		org, err := tx.LockOrg(ctx, orgID)
		if err != nil {
			return err
		}
		c, err := needSelfOrAdmin(ctx, tx, actor, orgID, membershipID, "manage members")
		if err != nil {
			return err
		}
		target, err := tx.GetMember(ctx, orgID, membershipID)
		if err != nil {
			return err
		}
		out, err = s.writeMemberChange(ctx, tx, c.Actor, "", target, action, func(m *Membership) error {
			return apply(tx, c, org, m)
		})
		return err
	})
	return out, err
}

// writeMemberChange lets apply change target's membership, then writes and audits it in tx.
func (s *Service) writeMemberChange(ctx context.Context, tx Tx, actor Actor, e Entrance, target Member, action string,
	apply func(m *Membership) error) (Member, error) {
	old := target.Membership
	next := old
	if err := apply(&next); err != nil {
		return Member{}, err
	}
	next.UpdatedAt = s.Now()
	if err := tx.UpdateMembership(ctx, next); err != nil {
		return Member{}, err
	}
	out := NewMember(next, User{Email: target.Email, FirstName: target.FirstName, LastName: target.LastName})
	return out, s.record(ctx, tx, Change{
		Actor: actor, OrgID: target.OrgID, Entrance: e, Action: action, TargetType: "member", TargetID: next.ID,
		Before: snapshot(old, target.Email), After: snapshot(next, target.Email), Webhook: true,
	})
}

func (c caller) isSelfID(membershipID string) bool {
	return !c.operator() && c.membership.ID == membershipID
}

// ChangeRole changes a member's role under the role table, the owner rules and the seat limit.
func (s *Service) ChangeRole(ctx context.Context, actor Actor, orgID, membershipID string, role Role) (Member, error) {
	if !role.Valid() {
		return Member{}, Invalidf("role", "unknown role %q: use owner, admin, member or viewer", role)
	}
	return s.memberChange(ctx, actor, orgID, membershipID, "member.role_changed", func(tx Tx, c caller, org Org, m *Membership) error {
		if m.Status == StatusRemoved {
			return Errorf(CodeNotFound, "member not found")
		}
		if m.Role == role {
			return Errorf(CodeConflict, "the member is already %s", role)
		}
		if c.isSelf(*m) {
			if role.Rank() > m.Role.Rank() {
				return Errorf(CodeForbidden, "you cannot raise your own role")
			}
		} else if err := c.mayManage(*m, role); err != nil {
			return err
		}
		if role == RoleOwner && c.role() != RoleOwner {
			return Errorf(CodeForbidden, "only owners can make someone owner")
		}
		if err := lastOwnerGuard(ctx, tx, *m, role == RoleOwner); err != nil {
			return err
		}
		if err := s.requireSeat(ctx, tx, org, *m, role); err != nil {
			return err
		}
		m.Role = role
		return nil
	})
}

// requireSeat refuses an explicit change that needs a seat the org does not have.
func (s *Service) requireSeat(ctx context.Context, tx Tx, org Org, m Membership, role Role) error {
	if m.Status != StatusActive || m.Role.NeedsSeat() || !role.NeedsSeat() {
		return nil
	}
	_, _, err := s.decideSeat(ctx, tx, org, role, EntranceManual)
	return err
}

// Suspend suspends a member: their seat is freed and they can no longer act or sign in.
func (s *Service) Suspend(ctx context.Context, actor Actor, orgID, membershipID string) (Member, error) {
	return s.memberChange(ctx, actor, orgID, membershipID, "member.suspended", func(tx Tx, c caller, _ Org, m *Membership) error {
		if m.Status != StatusActive {
			return Errorf(CodeConflict, "only an active member can be suspended; this one is %s", m.Status)
		}
		if c.isSelf(*m) {
			return Errorf(CodeForbidden, "you cannot suspend yourself")
		}
		if err := c.mayManage(*m, ""); err != nil {
			return err
		}
		if err := lastOwnerGuard(ctx, tx, *m, false); err != nil {
			return err
		}
		m.Status = StatusSuspended
		return tx.EndSessions(ctx, m.UserID, m.OrgID, s.Now())
	})
}

// Reactivate brings a suspended member back; a seat role needs a free seat.
func (s *Service) Reactivate(ctx context.Context, actor Actor, orgID, membershipID string) (Member, error) {
	return s.memberChange(ctx, actor, orgID, membershipID, "member.reactivated", func(tx Tx, c caller, org Org, m *Membership) error {
		if m.Status != StatusSuspended {
			return Errorf(CodeConflict, "only a suspended member can be reactivated; this one is %s", m.Status)
		}
		if err := c.mayManage(*m, ""); err != nil {
			return err
		}
		if m.Role.NeedsSeat() {
			if _, _, err := s.decideSeat(ctx, tx, org, m.Role, EntranceManual); err != nil {
				return err
			}
		}
		m.Status = StatusActive
		return nil
	})
}

// Remove removes a member: seat freed, tokens revoked, sessions ended, data kept for a later
// re-invitation. A person removing themselves is Leave.
func (s *Service) Remove(ctx context.Context, actor Actor, orgID, membershipID string) (Member, error) {
	action := "member.removed"
	return s.memberChange(ctx, actor, orgID, membershipID, action, func(tx Tx, c caller, _ Org, m *Membership) error {
		if m.Status == StatusRemoved {
			return Errorf(CodeNotFound, "member not found")
		}
		if !c.isSelf(*m) {
			if err := c.mayManage(*m, ""); err != nil {
				return err
			}
		}
		return s.removeTx(ctx, tx, m)
	})
}

// Leave removes the caller's own membership, unless they are the last owner.
func (s *Service) Leave(ctx context.Context, actor Actor, orgID string) (Member, error) {
	if actor.Kind != ActorMember {
		return Member{}, Errorf(CodeForbidden, "only a member can leave an org")
	}
	return s.memberChange(ctx, actor, orgID, actor.ID, "member.left", func(tx Tx, _ caller, _ Org, m *Membership) error {
		return s.removeTx(ctx, tx, m)
	})
}

func (s *Service) removeTx(ctx context.Context, tx Tx, m *Membership) error {
	if err := lastOwnerGuard(ctx, tx, *m, false); err != nil {
		return err
	}
	now := s.Now()
	if err := tx.RevokeMembershipTokens(ctx, m.ID, now); err != nil {
		return err
	}
	if err := tx.EndSessions(ctx, m.UserID, m.OrgID, now); err != nil {
		return err
	}
	m.Status = StatusRemoved
	return nil
}

// TransferOwnership makes target an owner and the calling owner an admin, in one step.
func (s *Service) TransferOwnership(ctx context.Context, actor Actor, orgID, targetID string) (Member, error) {
	var out Member
	err := s.store.Update(ctx, func(tx StoreTx) error {
		org, err := tx.LockOrg(ctx, orgID)
		if err != nil {
			return err
		}
		c, err := need(ctx, tx, actor, orgID, RoleOwner, "transfer ownership")
		if err != nil {
			return err
		}
		if c.operator() {
			return Errorf(CodeForbidden, "ownership is transferred by an owner; the operator can change roles instead")
		}
		target, err := tx.GetMember(ctx, orgID, targetID)
		if err != nil {
			return err
		}
		if target.ID == c.membership.ID {
			return Errorf(CodeInvalid, "you already own this org: choose another member")
		}
		if target.Status != StatusActive {
			return Errorf(CodeConflict, "ownership can only go to an active member")
		}
		if err := s.requireSeat(ctx, tx, org, target.Membership, RoleOwner); err != nil {
			return err
		}
		now := s.Now()
		for _, step := range []struct {
			m    Membership
			role Role
		}{{target.Membership, RoleOwner}, {c.membership, RoleAdmin}} {
			next := step.m
			next.Role, next.UpdatedAt = step.role, now
			if err := tx.UpdateMembership(ctx, next); err != nil {
				return err
			}
			if err := s.record(ctx, tx, Change{Actor: c.Actor, OrgID: orgID, Action: "member.role_changed",
				TargetType: "member", TargetID: next.ID, Before: snapshot(step.m, ""), After: snapshot(next, ""),
				Reason: "ownership transferred", Webhook: true}); err != nil {
				return err
			}
			if next.ID == target.ID {
				out = NewMember(next, User{Email: target.Email, FirstName: target.FirstName, LastName: target.LastName})
			}
		}
		return nil
	})
	return out, err
}

// GetMember returns one member; members may read themselves, admins anyone.
func (s *Service) GetMember(ctx context.Context, actor Actor, orgID, membershipID string) (Member, error) {
	var out Member
	err := s.store.View(ctx, func(tx StoreTx) error {
		_, err := needSelfOrAdmin(ctx, tx, actor, orgID, membershipID, "see other members")
		if err != nil {
			return err
		}
		out, err = tx.GetMember(ctx, orgID, membershipID)
		return err
	})
	return out, err
}

// ListMembers returns a page of members; only owners and admins see the list.
func (s *Service) ListMembers(ctx context.Context, actor Actor, q MemberQuery) ([]Member, error) {
	var out []Member
	err := s.store.View(ctx, func(tx StoreTx) error {
		if _, err := need(ctx, tx, actor, q.OrgID, RoleAdmin, "see the member list"); err != nil {
			return err
		}
		var err error
		out, err = tx.ListMembers(ctx, q)
		return err
	})
	return out, err
}

// SeatUsage returns used / limit for an org.
func (s *Service) SeatUsage(ctx context.Context, actor Actor, orgID string) (SeatReport, error) {
	var out SeatReport
	err := s.store.View(ctx, func(tx StoreTx) error {
		if _, err := need(ctx, tx, actor, orgID, RoleAdmin, "see seat usage"); err != nil {
			return err
		}
		org, err := tx.GetOrg(ctx, orgID)
		if err != nil {
			return err
		}
		out, err = s.seatReport(ctx, tx, org)
		return err
	})
	return out, err
}

// SeatReport is an org's seat usage with the viewers waiting for a seat.
type SeatReport struct {
	seats.Usage
	Free int `json:"free"`
	// OverLimit is how many seats are held beyond the limit; nobody gains a seat until it is 0.
	OverLimit      int    `json:"overLimit,omitempty"`
	WaitingViewers int    `json:"waitingViewers"`
	Display        string `json:"display"`
}

func (s *Service) seatReport(ctx context.Context, tx Tx, org Org) (SeatReport, error) {
	u, err := s.usage(ctx, tx, org)
	if err != nil {
		return SeatReport{}, err
	}
	waiting, err := tx.CountWaitingViewers(ctx, org.ID)
	return SeatReport{Usage: u, Free: u.Free(), OverLimit: u.Over(), WaitingViewers: waiting, Display: u.String()}, err
}

// AssignResult says how many viewers got a seat and how many still wait.
type AssignResult struct {
	Promoted int        `json:"promoted"`
	Waiting  int        `json:"waiting"`
	Seats    SeatReport `json:"seats"`
}

// AssignSeatsToViewers promotes viewers to member, earliest joined first, until seats run out.
func (s *Service) AssignSeatsToViewers(ctx context.Context, actor Actor, orgID string) (AssignResult, error) {
	var out AssignResult
	err := s.store.Update(ctx, func(tx StoreTx) error {
		org, err := tx.LockOrg(ctx, orgID)
		if err != nil {
			return err
		}
		c, err := need(ctx, tx, actor, orgID, RoleAdmin, "assign seats")
		if err != nil {
			return err
		}
		report, err := s.seatReport(ctx, tx, org)
		if err != nil {
			return err
		}
		var viewers []Membership
		if n := seats.Promotable(report.Usage, report.WaitingViewers); n > 0 {
			if viewers, err = tx.ListWaitingViewers(ctx, orgID, n); err != nil {
				return err
			}
		}
		for _, v := range viewers {
			next := v
			next.Role, next.UpdatedAt = RoleMember, s.Now()
			if err := tx.UpdateMembership(ctx, next); err != nil {
				return err
			}
			if err := s.record(ctx, tx, Change{Actor: c.Actor, OrgID: orgID, Action: "member.role_changed",
				TargetType: "member", TargetID: v.ID, Before: snapshot(v, ""), After: snapshot(next, ""),
				Reason: "assign seats to viewers", Webhook: true}); err != nil {
				return err
			}
		}
		out.Promoted = len(viewers)
		if out.Seats, err = s.seatReport(ctx, tx, org); err != nil {
			return err
		}
		out.Waiting = out.Seats.WaitingViewers
		return nil
	})
	return out, err
}
