package provisioning

import (
	"context"
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
