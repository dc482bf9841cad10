package domains

import (
	"context"

	"github.com/rollcall/rollcall/provisioning"
)

// AddInput is a new domain claim. AutoJoin is off unless asked for; Role defaults to member.
type AddInput struct {
	Name     string            `json:"name"`
	AutoJoin bool              `json:"autoJoin"`
	Role     provisioning.Role `json:"role"`
}

// UpdateInput changes a domain's auto-join settings; nil fields stay as they are.
type UpdateInput struct {
	AutoJoin *bool              `json:"autoJoin"`
	Role     *provisioning.Role `json:"role"`
}

const whatManage = "manage the org's domains"

// joinRole checks the role auto-joins get: never owner; admin only when an owner (or the
// operator) sets it.
func joinRole(actor provisioning.Actor, r provisioning.Role) (provisioning.Role, error) {
	if r == "" {
		return provisioning.RoleMember, nil
	}
	role, err := provisioning.ParseRole(string(r))
	if err != nil {
		return "", err
	}
	switch {
	case role == provisioning.RoleOwner:
		return "", provisioning.Invalidf("role", "auto-join can never make someone an owner: use member, viewer or admin")
	case role == provisioning.RoleAdmin && !ownerOrOperator(actor):
		return "", provisioning.Errorf(provisioning.CodeForbidden, "only owners can make auto-join grant the admin role")
	}
	return role, nil
}

func ownerOrOperator(a provisioning.Actor) bool {
	return a.IsOperator() || a.Role == provisioning.RoleOwner
}

// Add claims a domain for an org (owners and admins). The claim starts unverified; if another
// org already holds the domain verified, its reason says so.
func (s *Service) Add(ctx context.Context, actor provisioning.Actor, orgID string, in AddInput) (Info, error) {
	name, err := Validate(in.Name)
	if err != nil {
		return Info{}, err
	}
	var d provisioning.Domain
	err = s.svc.DomainDoor().Update(ctx, func(tx provisioning.DomainTxn) error {
		a, err := s.svc.Authorize(ctx, tx, actor, orgID, provisioning.RoleAdmin, whatManage)
		if err != nil {
			return err
		}
		role, err := joinRole(a, in.Role)
		if err != nil {
			return err
		}
		if n, err := tx.CountDomains(ctx, orgID); err != nil || n >= MaxDomainsPerOrg {
			if err != nil {
				return err
			}
			return provisioning.Errorf(provisioning.CodeConflict, "an org can have at most %d domains: remove one first", MaxDomainsPerOrg)
		}
		if _, err := tx.GetDomain(ctx, orgID, name); err == nil {
			return provisioning.Errorf(provisioning.CodeConflict, "%s is already added to this org", name)
		}
		now := s.svc.Now()
		d = provisioning.Domain{ID: provisioning.NewID(), OrgID: orgID, Name: name, State: provisioning.DomainUnverified,
			Token: newToken(), AutoJoin: in.AutoJoin, JoinRole: role, CreatedAt: now, UpdatedAt: now}
		if holder, err := tx.FindVerifiedDomain(ctx, name); err == nil && holder.OrgID != orgID {
			d.Reason = reasonTaken
		}
		if err := tx.InsertDomain(ctx, d); err != nil {
			if provisioning.IsCode(err, provisioning.CodeConflict) {
				return provisioning.Errorf(provisioning.CodeConflict, "%s is already added to this org", name)
			}
			return err
		}
		return s.record(ctx, tx, a, "domain.added", provisioning.Domain{}, d, "")
	})
	return info(d), err
}

// List lists an org's domains (owners and admins).
func (s *Service) List(ctx context.Context, actor provisioning.Actor, orgID string) ([]Info, error) {
	out := []Info{}
	err := s.svc.DomainDoor().View(ctx, func(tx provisioning.DomainTxn) error {
		if _, err := s.svc.Authorize(ctx, tx, actor, orgID, provisioning.RoleAdmin, whatManage); err != nil {
			return err
		}
		list, err := tx.ListDomains(ctx, orgID)
		for _, d := range list {
			out = append(out, info(d))
		}
		return err
	})
	return out, err
}

// Get reads one of an org's domains by name, in any form Normalize accepts.
func (s *Service) Get(ctx context.Context, actor provisioning.Actor, orgID, name string) (Info, error) {
	var d provisioning.Domain
	err := s.svc.DomainDoor().View(ctx, func(tx provisioning.DomainTxn) error {
		var err error
		_, d, err = s.authorized(ctx, tx, actor, orgID, name)
		return err
	})
	return info(d), err
}

// authorized checks the actor may manage the org's domains and reads the named one.
func (s *Service) authorized(ctx context.Context, tx provisioning.DomainTxn, actor provisioning.Actor, orgID, name string) (provisioning.Actor, provisioning.Domain, error) {
	a, err := s.svc.Authorize(ctx, tx, actor, orgID, provisioning.RoleAdmin, whatManage)
	if err != nil {
		return a, provisioning.Domain{}, err
	}
	n, err := Normalize(name)
	if err != nil {
		return a, provisioning.Domain{}, provisioning.Errorf(provisioning.CodeNotFound, "domain not found")
	}
	d, err := tx.GetDomain(ctx, orgID, n)
	if provisioning.IsCode(err, provisioning.CodeNotFound) {
		return a, d, provisioning.Errorf(provisioning.CodeNotFound, "%s is not one of this org's domains", n)
	}
	return a, d, err
}

// Update changes auto-join and the join role. A domain whose join role is or becomes admin can
// be changed only by an owner.
func (s *Service) Update(ctx context.Context, actor provisioning.Actor, orgID, name string, in UpdateInput) (Info, error) {
	var d provisioning.Domain
	err := s.svc.DomainDoor().Update(ctx, func(tx provisioning.DomainTxn) error {
		a, old, err := s.authorized(ctx, tx, actor, orgID, name)
		if err != nil {
			return err
		}
		if old.JoinRole == provisioning.RoleAdmin && !ownerOrOperator(a) {
			return provisioning.Errorf(provisioning.CodeForbidden, "only owners can change a domain whose auto-joins get the admin role")
		}
		d = old
		if in.Role != nil {
			if d.JoinRole, err = joinRole(a, *in.Role); err != nil {
				return err
			}
		}
		if in.AutoJoin != nil {
			d.AutoJoin = *in.AutoJoin
		}
		if d == old {
			return nil
		}
		d.UpdatedAt = s.svc.Now()
		if err := tx.UpdateDomain(ctx, d); err != nil {
			return err
		}
		return s.record(ctx, tx, a, "domain.settings_changed", old, d, "")
	})
	return info(d), err
}

// Remove deletes an org's claim on a domain; a verified one stops routing and auto-joining at
// once. Members who joined through it stay.
func (s *Service) Remove(ctx context.Context, actor provisioning.Actor, orgID, name string) error {
	return s.svc.DomainDoor().Update(ctx, func(tx provisioning.DomainTxn) error {
		a, d, err := s.authorized(ctx, tx, actor, orgID, name)
		if err != nil {
			return err
		}
		if err := tx.DeleteDomain(ctx, orgID, d.ID); err != nil {
			return err
		}
		return s.record(ctx, tx, a, "domain.removed", d, provisioning.Domain{}, "")
	})
}

// Verify looks up the domain's TXT record now and records the outcome (owners and admins). A
// domain that is not verified afterwards is not an error: its State and Reason say why.
func (s *Service) Verify(ctx context.Context, actor provisioning.Actor, orgID, name string) (Info, error) {
	var a provisioning.Actor
	var d provisioning.Domain
	err := s.svc.DomainDoor().View(ctx, func(tx provisioning.DomainTxn) error {
		var err error
		a, d, err = s.authorized(ctx, tx, actor, orgID, name)
		return err
	})
	if err != nil {
		return Info{}, err
	}
	res := s.check(ctx, d)
	d, err = s.apply(ctx, a, d.ID, res)
	out := info(d)
	out.Outcome = res.outcome
	return out, err
}
