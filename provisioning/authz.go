package provisioning

import "context"

// caller is an actor resolved inside a transaction: the operator, or a member whose role and
// status were just read from the database.
type caller struct {
	Actor
	membership Membership
}

func (c caller) operator() bool { return c.Kind == ActorOperator }

// role is the caller's effective role; the operator acts as an owner.
func (c caller) role() Role {
	if c.operator() {
		return RoleOwner
	}
	return c.membership.Role
}

func (c caller) isSelf(m Membership) bool { return !c.operator() && c.membership.ID == m.ID }

// resolve reads the actor's membership fresh, so revocations and role changes apply at once.
func resolve(ctx context.Context, tx Tx, a Actor, orgID string) (caller, error) {
	switch a.Kind {
	case ActorOperator:
		return caller{Actor: a}, nil
	case ActorUser:
		m, err := tx.GetMembership(ctx, orgID, a.UserID)
		if IsCode(err, CodeNotFound) || (err == nil && m.Status != StatusActive) {
			return caller{}, Errorf(CodeForbidden, "you are not an active member of this org")
		}
		if err != nil {
			return caller{}, err
		}
		a.Kind, a.ID, a.OrgID, a.Role = ActorMember, m.ID, orgID, m.Role
		return caller{Actor: a, membership: m}, nil
	case ActorMember:
		if a.OrgID != orgID {
			return caller{}, Errorf(CodeForbidden, "this token does not belong to this org")
		}
		m, err := tx.GetMembershipByID(ctx, orgID, a.ID)
		if IsCode(err, CodeNotFound) || (err == nil && m.Status != StatusActive) {
			return caller{}, Errorf(CodeUnauthorized, "your membership is no longer active")
		}
		if err != nil {
			return caller{}, err
		}
		a.Role = m.Role
		return caller{Actor: a, membership: m}, nil
	}
	return caller{}, Errorf(CodeForbidden, "this action needs a member of the org or the operator")
}

// needSelfOrAdmin resolves the actor and requires it to be an owner or admin of the org, or the
// member membershipID themself; what ends the refusal ("see other members").
func needSelfOrAdmin(ctx context.Context, tx Tx, a Actor, orgID, membershipID, what string) (caller, error) {
	c, err := resolve(ctx, tx, a, orgID)
	if err != nil {
		return c, err
	}
	if !c.role().IsAdmin() && !c.isSelfID(membershipID) {
		return c, Errorf(CodeForbidden, "only owners and admins can %s", what)
	}
	return c, nil
}

// need resolves the actor and requires at least the given role.
func need(ctx context.Context, tx Tx, a Actor, orgID string, min Role, what string) (caller, error) {
	c, err := resolve(ctx, tx, a, orgID)
	if err != nil {
		return c, err
	}
	if c.role().Rank() < min.Rank() {
		return c, Errorf(CodeForbidden, "only %s can %s", roleAndAbove(min), what)
	}
	return c, nil
}

func roleAndAbove(r Role) string {
	switch r {
	case RoleOwner:
		return "owners"
	case RoleAdmin:
		return "owners and admins"
	case RoleMember:
		return "owners, admins and members"
	}
	return "members of the org"
}

// mayManage checks the role table for acting on target (change role, remove, suspend): owners
// may act on anyone; admins only on members and viewers, and may not grant more than member.
func (c caller) mayManage(target Membership, newRole Role) error {
	switch c.role() {
	case RoleOwner:
		return nil
	case RoleAdmin:
		if target.Role.IsAdmin() {
			return Errorf(CodeForbidden, "only owners can change or remove an %s", target.Role)
		}
		if newRole.IsAdmin() {
			return Errorf(CodeForbidden, "only owners can make someone %s", newRole)
		}
		return nil
	}
	return Errorf(CodeForbidden, "only owners and admins can manage members")
}

// mayGrant checks who may give a role to someone new (manual add, invitation).
func (c caller) mayGrant(role Role) error {
	if role.IsAdmin() && c.role() != RoleOwner {
		return Errorf(CodeForbidden, "only owners can add or invite an %s", role)
	}
	if !c.role().IsAdmin() {
		return Errorf(CodeForbidden, "only owners and admins can add or invite members")
	}
	return nil
}

// MayGrant reports whether actor may bring someone into org with role; entrances such as
// invitations call it before their own writes.
func (s *Service) MayGrant(ctx context.Context, in Txn, actor Actor, orgID string, role Role) error {
	tx := in.storeTx()
	c, err := resolve(ctx, tx, actor, orgID)
	if err != nil {
		return err
	}
	return c.mayGrant(role)
}

// Authorize requires the actor to hold at least min in org, reading its role fresh in tx. It
// returns the actor with its current role filled in.
func (s *Service) Authorize(ctx context.Context, in Txn, actor Actor, orgID string, min Role, what string) (Actor, error) {
	tx := in.storeTx()
	c, err := need(ctx, tx, actor, orgID, min, what)
	return c.Actor, err
}

// lastOwnerGuard refuses a change that would leave the org without an active owner.
func lastOwnerGuard(ctx context.Context, tx Tx, target Membership, stillOwner bool) error {
	if target.Role != RoleOwner || target.Status != StatusActive || stillOwner {
		return nil
	}
	n, err := tx.CountOwners(ctx, target.OrgID)
	if err != nil {
		return err
	}
	if n <= 1 {
		return Errorf(CodeLastOwner, "the org must keep at least one owner: make someone else owner first")
	}
	return nil
}
