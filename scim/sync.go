package scim

import (
	"bytes"
	"context"
	"slices"

	"github.com/elimity-com/scim/errors"

	"github.com/rollcall/rollcall/provisioning"
)

// saveUser writes a new version of a directory user and sends what changed through the core:
// active true→false suspends (seat freed), false→true reactivates under the seat rules, and a
// change of an active member's names or externalId updates them and the mapped role (any other
// change re-decides only the mapped role: syncMember); a new userName renames the account's
// email where the core allows it (ChangeEmailByDirectoryTx). An unchanged document is a no-op
// (Entra's periodic PATCHes). The email rows are rewritten only when the emails changed. A
// document beyond the bounds (checkBounds) is refused, whether a PUT sent it or a PATCH made it.
func (s *Service) saveUser(ctx context.Context, tx provisioning.DirectoryTxn, actor provisioning.Actor, old provisioning.DirectoryUser, d document) (provisioning.DirectoryUser, error) {
	if err := checkBounds(d, userStrings, s.opts.MaxValues); err != nil {
		return old, err
	}
	f, err := readUser(d)
	if err != nil {
		return old, err
	}
	active := old.Active
	if f.active != nil {
		active = *f.active
	}
	d.del("active")
	next := old
	next.Active = active
	f.apply(&next, d)
	if bytes.Equal(next.Attributes, old.Attributes) && next.Active == old.Active {
		return old, nil
	}
	if next.UserNameKey != old.UserNameKey {
		if _, found, err := findUserByKey(ctx, tx, old.OrgID, next.UserNameKey); err != nil || found {
			return old, firstErr(err, errors.ScimErrorUniqueness)
		}
	}
	emailsChanged := !slices.Equal(next.Emails, savedEmails(old))
	if err := s.syncMember(ctx, tx, actor, old, next, f.email, emailsChanged); err != nil {
		return old, err
	}
	next.Version, next.UpdatedAt = old.Version+1, s.core.Now()
	if err := tx.UpdateDirectoryUser(ctx, next); err != nil || !emailsChanged {
		return next, err
	}
	return next, tx.ReplaceDirectoryEmails(ctx, next)
}

// syncMember hands the core what a new version of a directory user changes. When nothing the
// core holds changed (names, externalId, userName, emails, active) and the mapped role is the member's,
// the pipeline would find the member unchanged: it is skipped, and with it the account's
// reads and the org lock.
func (s *Service) syncMember(ctx context.Context, tx provisioning.DirectoryTxn, actor provisioning.Actor, old, next provisioning.DirectoryUser, email string, emailsChanged bool) error {
	m, err := tx.GetMembershipByID(ctx, old.OrgID, old.MembershipID)
	if err != nil {
		return err
	}
	renamed := next.UserNameKey != old.UserNameKey || emailsChanged
	if renamed {
		if _, err := s.core.ChangeEmailByDirectoryTx(ctx, tx, actor, old.OrgID, old.MembershipID, email); err != nil {
			return err
		}
	}
	reactivate := next.Active && !old.Active
	if reactivate || (m.Status == provisioning.StatusActive && (renamed || profileChanged(old, next))) {
		if err := s.provisionUser(ctx, tx, actor, next, "", reactivate); err != nil {
			return err
		}
	} else if m.Status == provisioning.StatusActive {
		if err := s.keepMappedRole(ctx, tx, actor, next, m.Role); err != nil {
			return err
		}
	}
	if old.Active && !next.Active {
		_, _, err := s.core.SuspendByDirectoryTx(ctx, tx, actor, old.OrgID, old.MembershipID)
		return err
	}
	return nil
}

// keepMappedRole runs the pipeline for an active member whose mapped role is not the role they
// hold (the org's rules changed, or someone changed the role by hand).
func (s *Service) keepMappedRole(ctx context.Context, tx provisioning.DirectoryTxn, actor provisioning.Actor, u provisioning.DirectoryUser, held provisioning.Role) error {
	role, err := s.roleOf(ctx, tx, u)
	if err != nil || role == "" || role == held {
		return err
	}
	return s.provisionUser(ctx, tx, actor, u, "", false)
}

// profileChanged reports whether a directory user's fields that the pipeline copies to the
// account and membership changed.
func profileChanged(old, next provisioning.DirectoryUser) bool {
	return old.GivenName != next.GivenName || old.FamilyName != next.FamilyName || old.ExternalID != next.ExternalID
}

// savedEmails are a directory user's emails as last saved. The store reads a user without its
// email rows, so they are read back from the saved document; one that cannot be read gives
// none, which counts as a change.
func savedEmails(u provisioning.DirectoryUser) []provisioning.DirectoryEmail {
	if u.Emails != nil {
		return u.Emails
	}
	f, err := readUser(copyDocument(u.Attributes))
	if err != nil {
		return nil
	}
	return f.emails
}

// provisionUser runs the pipeline for a directory user with their mapped role; fallback is the
// role to use when no mapping applies (empty: keep the current role).
func (s *Service) provisionUser(ctx context.Context, tx provisioning.DirectoryTxn, actor provisioning.Actor, u provisioning.DirectoryUser, fallback provisioning.Role, reactivate bool) error {
	user, err := tx.GetUser(ctx, u.UserID)
	if err != nil {
		return err
	}
	role, err := s.roleOf(ctx, tx, u)
	if err != nil {
		return err
	}
	if role == "" {
		role = fallback
	}
	_, err = s.core.ProvisionTx(ctx, tx, provisioning.ProvisionRequest{
		OrgID: u.OrgID, Entrance: provisioning.EntranceSCIM, Actor: actor, Role: role, Reactivate: reactivate,
		Identity: provisioning.Identity{Email: user.Email, FirstName: u.GivenName, LastName: u.FamilyName, ExternalID: u.ExternalID},
	})
	return err
}

// roleOf is the highest role the org's rules give the user's groups, or "" when none applies.
func (s *Service) roleOf(ctx context.Context, tx provisioning.DirectoryTxn, u provisioning.DirectoryUser) (provisioning.Role, error) {
	rules, err := tx.ListGroupRoleMappings(ctx, u.OrgID)
	if err != nil || len(rules) == 0 {
		return "", err
	}
	groups, err := tx.ListUserDirectoryGroups(ctx, u.OrgID, u.ID)
	if err != nil {
		return "", err
	}
	role, _ := mappedRole(rules, groups)
	return role, nil
}

// applyGroupRoles re-decides the role of each user whose membership of a mapped group changed:
// highest mapped role, or the org's default role when none is left. It reads the users' groups
// for the whole set in a few statements and hands the core the set to decide
// (SetRolesByDirectoryTx) in the order of userIDs, so a batch of 500 costs a few statements plus one read per member
// and a write per changed role, not the pipeline per person. Directory users who are not
// active keep their state; their role is decided when they come back.
func (s *Service) applyGroupRoles(ctx context.Context, tx provisioning.DirectoryTxn, actor provisioning.Actor, mapped bool, userIDs []string) error {
	if !mapped || len(userIDs) == 0 {
		return nil
	}
	rules, err := tx.ListGroupRoleMappings(ctx, actor.OrgID)
	if err != nil {
		return err
	}
	users, err := tx.ListDirectoryUsersGroups(ctx, actor.OrgID, userIDs)
	if err != nil {
		return err
	}
	at := make(map[string]int, len(userIDs))
	for i, id := range userIDs {
		if _, seen := at[id]; !seen {
			at[id] = i
		}
	}
	slices.SortFunc(users, func(a, b provisioning.DirectoryUserGroups) int { return at[a.UserID] - at[b.UserID] })
	roles := make([]provisioning.DirectoryRole, 0, len(users))
	for _, u := range users {
		if u.Active {
			role, _ := mappedRole(rules, u.Groups)
			roles = append(roles, provisioning.DirectoryRole{MembershipID: u.MembershipID, Role: role})
		}
	}
	return s.core.SetRolesByDirectoryTx(ctx, tx, actor, actor.OrgID, roles)
}
