package provisioning

import (
	"context"

	"github.com/rollcall/rollcall/seats"
)

// DirectoryAuthority is the most a directory token may do: the role its creator holds now (owner
// for the operator's tokens), so that an admin cannot reach, through a directory, what the role
// rules refuse them directly. A token whose creator no longer administers the org stops
// working, as their personal tokens do.
func DirectoryAuthority(ctx context.Context, in Txn, tok DirectoryToken) (Role, error) {
	tx := in.storeTx()
	if tok.CreatedBy == "" {
		return RoleOwner, nil
	}
	m, err := tx.GetMembershipByID(ctx, tok.OrgID, tok.CreatedBy)
	if IsCode(err, CodeNotFound) || (err == nil && (m.Status != StatusActive || !m.Role.IsAdmin())) {
		return "", Errorf(CodeUnauthorized, "the member who created this directory token no longer administers the org: create a new token")
	}
	return m.Role, err
}

// directoryMaySetRole reports whether a directory acting with actor's authority may move a member
// from role old to role next: touching admins (promoting to or demoting from admin) needs a token
// of an owner, as the role rules say for people.
func directoryMaySetRole(actor Actor, old, next Role) bool {
	if actor.Kind != ActorDirectory || actor.Role == RoleOwner {
		return true
	}
	return old != RoleAdmin && next != RoleAdmin
}

// directoryTarget checks that a directory acts on its own org, locks the org and loads the
// member. A directory whose token an admin created cannot act on owners and admins. Directory
// changes run inside the caller's transaction (with the SCIM rows).
func directoryTarget(ctx context.Context, tx Tx, actor Actor, orgID, membershipID string) (Member, error) {
	if actor.Kind != ActorDirectory || actor.OrgID != orgID {
		return Member{}, Errorf(CodeForbidden, "only the org's own directory can do this")
	}
	if _, err := tx.LockOrg(ctx, orgID); err != nil {
		return Member{}, err
	}
	m, err := tx.GetMember(ctx, orgID, membershipID)
	if err == nil && m.Role.IsAdmin() && actor.Role != RoleOwner {
		return m, Errorf(CodeForbidden, "this directory's token was created by an admin, so it cannot change owners or admins: an owner must create the token")
	}
	return m, err
}

// SuspendByDirectoryTx suspends a membership because the org's directory deactivated the person
// (SCIM active=false): the seat is freed and sessions end. A membership that is not active is
// left as it is (changed false). The last owner is never suspended.
func (s *Service) SuspendByDirectoryTx(ctx context.Context, in Txn, actor Actor, orgID, membershipID string) (Member, bool, error) {
	tx := in.storeTx()
	target, err := directoryTarget(ctx, tx, actor, orgID, membershipID)
	if err != nil || target.Status != StatusActive {
		return target, false, err
	}
	out, err := s.writeMemberChange(ctx, tx, actor, EntranceSCIM, target, "member.suspended", func(m *Membership) error {
		if err := lastOwnerGuard(ctx, tx, *m, false); err != nil {
			return err
		}
		m.Status = StatusSuspended
		return tx.EndSessions(ctx, m.UserID, m.OrgID, s.Now())
	})
	return out, err == nil, err
}

// RemoveByDirectoryTx removes a membership because the org's directory deleted the person (SCIM
// DELETE): seat freed, tokens revoked, sessions ended, data kept. Removing a removed membership
// changes nothing (changed false). The last owner is never removed.
func (s *Service) RemoveByDirectoryTx(ctx context.Context, in Txn, actor Actor, orgID, membershipID string) (Member, bool, error) {
	tx := in.storeTx()
	target, err := directoryTarget(ctx, tx, actor, orgID, membershipID)
	if err != nil || target.Status == StatusRemoved {
		return target, false, err
	}
	out, err := s.writeMemberChange(ctx, tx, actor, EntranceSCIM, target, "member.removed", func(m *Membership) error {
		return s.removeTx(ctx, tx, m)
	})
	return out, err == nil, err
}

// ChangeEmailByDirectoryTx follows the org's directory when it changes a person's userName, which
// is their email. The account's email changes only when this org has verified the domains of
// both the old and the new address (it speaks for addresses there: it could sign in as either
// through their mailboxes anyway), the account belongs to no other org (one org's directory must
// not rename someone another org knows) and no other account uses the address.
// A renamed account's sessions end. Otherwise the account keeps its email and the audit log says
// why; either way the directory's own record carries the new userName. It reports whether the
// email changed.
func (s *Service) ChangeEmailByDirectoryTx(ctx context.Context, in Txn, actor Actor, orgID, membershipID, email string) (bool, error) {
	tx := in.storeTx()
	next, err := NormalizeEmail(email)
	if err != nil {
		return false, err
	}
	m, err := tx.GetMembershipByID(ctx, orgID, membershipID)
	if err != nil {
		return false, err
	}
	if user, err := tx.GetUser(ctx, m.UserID); err != nil || user.Email == next {
		return false, err // no rename: nothing for the directory's rights to allow
	}
	if _, err := directoryTarget(ctx, tx, actor, orgID, membershipID); err != nil {
		return false, err
	}
	// Locked after the org, as every other path does: a join into another org waits until the
	// rename is decided.
	user, err := tx.LockUser(ctx, m.UserID)
	if err != nil || user.Email == next {
		return false, err
	}
	return s.renameTx(ctx, tx, actor, EntranceSCIM, orgID, &user, next, "the directory")
}

// emailChangeRefusal says why a directory may not move user to email, or "" when it may.
func (s *Service) emailChangeRefusal(ctx context.Context, tx StoreTx, orgID string, user User, email string) (string, error) {
	for _, address := range []string{user.Email, email} {
		d, err := tx.FindVerifiedDomain(ctx, EmailDomain(address))
		switch {
		case IsCode(err, CodeNotFound) || (err == nil && d.OrgID != orgID):
			return "this organization has not verified the domain " + EmailDomain(address), nil
		case err != nil:
			return "", err
		}
	}
	orgs, err := tx.ListUserOrgs(ctx, user.ID)
	if err != nil {
		return "", err
	}
	for _, o := range orgs {
		if o.Org.ID != orgID {
			return "the account also belongs to another organization", nil
		}
	}
	switch _, err := tx.GetUserByEmail(ctx, email); {
	case err == nil:
		return "another account already uses that address", nil
	case !IsCode(err, CodeNotFound):
		return "", err
	}
	return "", nil
}

// DirectoryRole is the role an org's group → role rules give one member; an empty Role means
// no rule applies any more and the member gets the org's default role.
type DirectoryRole struct {
	MembershipID string
	Role         Role
}

// SetRolesByDirectoryTx re-decides the roles of many members at once after their directory
// groups changed, with the rules of the pipeline's update: active members only, never an
// owner, admins only with an owner's token, and a seat role for a viewer only while a seat is
// free (otherwise they stay viewers, the reason in the audit log). The org is locked once and,
// with a seat limit, its seats counted once for the whole set; members are decided in the
// order given, so a set that outgrows the free seats always seats the same ones. The
// memberships are read and locked 500 at a time (LockMembersByID); each change is written and
// audited as the pipeline does.
func (s *Service) SetRolesByDirectoryTx(ctx context.Context, in Txn, actor Actor, orgID string, roles []DirectoryRole) error {
	if len(roles) == 0 {
		return nil
	}
	if actor.Kind != ActorDirectory || actor.OrgID != orgID {
		return Errorf(CodeForbidden, "only the org's own directory can do this")
	}
	tx := in.storeTx()
	org, err := tx.LockOrgForJoin(ctx, orgID)
	if err != nil {
		return err
	}
	ids := make([]string, len(roles))
	for i, want := range roles {
		ids[i] = want.MembershipID
	}
	members, err := tx.LockMembersByID(ctx, orgID, ids)
	if err != nil {
		return err
	}
	byID := make(map[string]Member, len(members))
	for _, m := range members {
		byID[m.ID] = m
	}
	r := roleRun{s: s, tx: tx, org: org, actor: actor}
	for _, want := range roles {
		m, ok := byID[want.MembershipID]
		if !ok {
			continue
		}
		next, err := r.apply(ctx, m, want.Role)
		if err != nil {
			return err
		}
		byID[m.ID] = next // a membership listed twice is decided from its new state
	}
	return nil
}

// roleRun decides a set of directory roles in one transaction, counting seats once.
type roleRun struct {
	s       *Service
	tx      StoreTx
	org     Org
	actor   Actor
	counted bool
	usage   seats.Usage
}

func (r *roleRun) apply(ctx context.Context, m Member, role Role) (Member, error) {
	if role == "" {
		role = r.org.Settings.DefaultRole
	}
	if m.Status != StatusActive || m.Role == role || m.Role == RoleOwner || !directoryMaySetRole(r.actor, m.Role, role) {
		return m, nil
	}
	next, reason := m.Membership, seats.ReasonNone
	if role.NeedsSeat() && !m.Role.NeedsSeat() {
		var err error
		if role, reason, err = r.seat(ctx, role); err != nil {
			return m, err
		}
	}
	if role == m.Role {
		return m, nil
	}
	next.Role, next.UpdatedAt = role, r.s.Now()
	if err := r.tx.UpdateMembership(ctx, next); err != nil {
		return m, err
	}
	req := ProvisionRequest{Actor: r.actor, Entrance: EntranceSCIM, Reason: "directory group rules"}
	if err := r.s.recordMember(ctx, r.tx, req, "member.role_changed", m.Membership, next, m.Email, reason); err != nil {
		return m, err
	}
	m.Membership, m.HasSeat = next, next.HasSeat()
	return m, nil
}

// seat decides a seat role for a member who holds no seat, under the seat rules of automatic
// joins; a granted seat is counted so the next decision of the set sees it taken.
func (r *roleRun) seat(ctx context.Context, role Role) (Role, seats.Reason, error) {
	if !r.counted && !r.org.SeatLimit.IsUnlimited() {
		u, err := r.s.usage(ctx, r.tx, r.org)
		if err != nil {
			return "", "", err
		}
		r.usage, r.counted = u, true
	}
	usage := r.usage
	if r.org.SeatLimit.IsUnlimited() {
		usage = seats.Usage{Limit: r.org.SeatLimit}
	}
	decision, reason := seats.Decide(usage, seats.Join{Automatic: true, AutoAssign: r.org.Settings.AutoAssignSeats})
	if decision != seats.Grant {
		return RoleViewer, reason, nil
	}
	r.usage.Used++
	return role, seats.ReasonNone, nil
}
