package domains

import (
	"context"
	"errors"

	"github.com/rollcall/rollcall/provisioning"
)

// errSkip rolls back an auto-join the pipeline refused; the sign-in goes on without it.
var errSkip = errors.New("auto-join skipped")

// AutoJoin joins a user who just signed in to the org holding their email's domain verified,
// when that domain has auto-join on and the user has no membership there yet. Only a verified
// email counts (an email link, or the IdP of the org holding the domain). Existing memberships are left
// alone, so a removed or suspended member is never silently re-added: they come back only by
// invitation or through the directory. The join goes through the pipeline with entrance domain,
// the domain's role and the seat rules of automatic joins (a full org gives a viewer seat).
// Orgs the pipeline refuses are skipped quietly; only internal failures are errors.
func (s *Service) AutoJoin(ctx context.Context, u provisioning.User) ([]provisioning.ProvisionResult, error) {
	if !u.EmailVerified {
		return nil, nil
	}
	email, err := provisioning.NormalizeEmail(u.Email)
	if err != nil {
		return nil, nil
	}
	name, err := Normalize(provisioning.EmailDomain(email))
	if err != nil {
		return nil, nil
	}
	var res provisioning.ProvisionResult
	joined := false
	err = s.svc.DomainDoor().Update(ctx, func(tx provisioning.DomainTxn) error {
		d, err := tx.FindVerifiedDomain(ctx, name)
		if provisioning.IsCode(err, provisioning.CodeNotFound) || (err == nil && !d.AutoJoin) {
			return nil
		}
		if err != nil {
			return err
		}
		if member, err := hasMembership(ctx, tx, d.OrgID, email); member || err != nil {
			return err
		}
		res, err = s.svc.ProvisionTx(ctx, tx, provisioning.ProvisionRequest{
			OrgID: d.OrgID, Entrance: provisioning.EntranceDomain, Role: d.JoinRole,
			Actor:    provisioning.Actor{Kind: provisioning.ActorSystem, ID: d.ID, OrgID: d.OrgID, Label: "verified domain " + d.Name},
			Identity: provisioning.Identity{Email: email, EmailVerified: true, FirstName: u.FirstName, LastName: u.LastName},
			Reason:   "signed in with a verified email at " + d.Name + ", which has auto-join on",
		})
		switch provisioning.ErrorCode(err) {
		case "":
			joined = true
			return nil
		case provisioning.CodeForbidden, provisioning.CodeSeatLimit:
			s.logger.InfoContext(ctx, "domain auto-join skipped", "domain", d.Name, "org", d.OrgID, "reason", provisioning.ErrorMessage(err))
			return errSkip
		}
		return err
	})
	if err != nil && !errors.Is(err, errSkip) {
		return nil, err
	}
	if !joined {
		return nil, nil
	}
	return []provisioning.ProvisionResult{res}, nil
}

// hasMembership reports whether the person with email has any membership in org, whatever its
// status.
func hasMembership(ctx context.Context, tx provisioning.DomainTxn, orgID, email string) (bool, error) {
	u, err := tx.GetUserByEmail(ctx, email)
	if provisioning.IsCode(err, provisioning.CodeNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	_, err = tx.GetMembership(ctx, orgID, u.ID)
	if provisioning.IsCode(err, provisioning.CodeNotFound) {
		return false, nil
	}
	return err == nil, err
}

// OnSignIn is AutoJoin as a sign-in hook (func(ctx, provisioning.User) error): the email
// sign-in and SSO call it after a sign-in that proved u.Email. It never fails a sign-in over a
// refused join, only over an internal error.
func (s *Service) OnSignIn(ctx context.Context, u provisioning.User) error {
	_, err := s.AutoJoin(ctx, u)
	return err
}
