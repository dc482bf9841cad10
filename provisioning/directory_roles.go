package provisioning

import (
	"context"
	"time"

	"github.com/rollcall/rollcall/seats"
)

// DirectoryRole is the role an org's group → role rules give one member; an empty Role means
// no rule applies any more and the member gets the org's default role.
type DirectoryRole struct {
	MembershipID string
	Role         Role
}

// RoleChange is a membership's new role, written with others by UpdateMembershipRoles.
type RoleChange struct {
	MembershipID string
	Role         Role
	UpdatedAt    time.Time
}

// SetRolesByDirectoryTx re-decides the roles of many members at once after their directory
// groups changed, with the rules of the pipeline's update: active members only, never an
// owner, admins only with an owner's token, and a seat role for a viewer only while a seat is
// free (otherwise they stay viewers, the reason in the audit log). The org is locked once and,
// with a seat limit, its seats counted once for the whole set; members are decided in the
// order given, so a set that outgrows the free seats always seats the same ones. The
// memberships are read and locked 500 at a time (LockMembersByID). The changes are written
// set-wise: the roles in one UPDATE per 500 (the seat counter moved once), their audit and
// webhook events in one insert each per 500, with the content the pipeline writes per member.
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
	r := roleRun{s: s, tx: tx, org: org, actor: actor, at: map[string]int{}}
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
	return r.flush(ctx)
}

// roleRun decides a set of directory roles in one transaction, counting seats once, and
// writes them set-wise (flush).
type roleRun struct {
	s       *Service
	tx      StoreTx
	org     Org
	actor   Actor
	counted bool
	usage   seats.Usage
	// roles waiting to be written, one per membership (at: its index), and their audit.
	roles   []RoleChange
	at      map[string]int
	changes []Change
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
	change := RoleChange{MembershipID: next.ID, Role: next.Role, UpdatedAt: next.UpdatedAt}
	if i, ok := r.at[next.ID]; ok {
		r.roles[i] = change
	} else {
		r.at[next.ID] = len(r.roles)
		r.roles = append(r.roles, change)
	}
	req := ProvisionRequest{Actor: r.actor, Entrance: EntranceSCIM, Reason: "directory group rules"}
	r.changes = append(r.changes, memberAudit(req, "member.role_changed", m.Membership, next, m.Email, reason))
	m.Membership, m.HasSeat = next, next.HasSeat()
	return m, nil
}

// flush writes the roles decided so far and records their changes.
func (r *roleRun) flush(ctx context.Context) error {
	if len(r.roles) == 0 {
		return nil
	}
	if err := r.tx.UpdateMembershipRoles(ctx, r.org.ID, r.roles); err != nil {
		return err
	}
	if err := r.s.recordAll(ctx, r.tx, r.changes); err != nil {
		return err
	}
	r.roles, r.changes, r.at = nil, nil, map[string]int{}
	return nil
}

// seat decides a seat role for a member who holds no seat, under the seat rules of automatic
// joins; a granted seat is counted so the next decision of the set sees it taken. The seats
// are counted after the roles decided so far are written, as a write per member would have.
func (r *roleRun) seat(ctx context.Context, role Role) (Role, seats.Reason, error) {
	if !r.counted && !r.org.SeatLimit.IsUnlimited() {
		if err := r.flush(ctx); err != nil {
			return "", "", err
		}
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
