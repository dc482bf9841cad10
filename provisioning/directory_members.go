package provisioning

import "context"

// directoryTarget checks that a directory acts on its own org, locks the org and loads the
// member. Directory changes run inside the caller's transaction (with the SCIM rows).
func directoryTarget(ctx context.Context, tx Tx, actor Actor, orgID, membershipID string) (Member, error) {
	if actor.Kind != ActorDirectory || actor.OrgID != orgID {
		return Member{}, Errorf(CodeForbidden, "only the org's own directory can do this")
	}
	if _, err := tx.LockOrg(ctx, orgID); err != nil {
		return Member{}, err
	}
	return tx.GetMember(ctx, orgID, membershipID)
}

// SuspendByDirectoryTx suspends a membership because the org's directory deactivated the person
// (SCIM active=false): the seat is freed and sessions end. A membership that is not active is
// left as it is (changed false). The last owner is never suspended.
func (s *Service) SuspendByDirectoryTx(ctx context.Context, tx Tx, actor Actor, orgID, membershipID string) (Member, bool, error) {
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
func (s *Service) RemoveByDirectoryTx(ctx context.Context, tx Tx, actor Actor, orgID, membershipID string) (Member, bool, error) {
	target, err := directoryTarget(ctx, tx, actor, orgID, membershipID)
	if err != nil || target.Status == StatusRemoved {
		return target, false, err
	}
	out, err := s.writeMemberChange(ctx, tx, actor, EntranceSCIM, target, "member.removed", func(m *Membership) error {
		return s.removeTx(ctx, tx, m)
	})
	return out, err == nil, err
}
