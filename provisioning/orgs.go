package provisioning

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/rollcall/rollcall/seats"
)

// CreateOrgInput is what the operator gives to create an org with its first owner.
type CreateOrgInput struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
	Plan string `json:"plan"`
	// SeatLimit overrides the plan's default; -1 means unlimited.
	SeatLimit  *int   `json:"seatLimit"`
	OwnerEmail string `json:"ownerEmail"`
}

// OrgWithOwner is a new org and its first owner.
type OrgWithOwner struct {
	Org   Org    `json:"org"`
	Owner Member `json:"owner"`
}

func parsePlan(s string) (seats.Plan, error) {
	if s == "" {
		return seats.PlanFree, nil
	}
	p, ok := seats.ParsePlan(s)
	if !ok {
		return "", Invalidf("plan", "unknown plan %q: use %s", s, strings.Join(seats.PlanNames(), ", "))
	}
	return p, nil
}

func seatLimit(p seats.Plan, n *int) (seats.Limit, error) {
	if n == nil {
		return seats.DefaultLimit(p), nil
	}
	if *n == -1 {
		return seats.Unlimited, nil
	}
	if *n < 1 || *n > 10_000_000 {
		return 0, Invalidf("seatLimit", "seatLimit must be at least 1 (the owner's seat), or -1 for unlimited")
	}
	return seats.Limit(*n), nil
}

func validName(name string) (string, error) {
	n := CleanDisplay(name, 201)
	if n == "" || utf8.RuneCountInString(n) > 200 {
		return "", Invalidf("name", "name must be 1-200 characters")
	}
	return n, nil
}

// CreateOrg creates an org and provisions its first owner (entrance bootstrap). Operator only.
func (s *Service) CreateOrg(ctx context.Context, actor Actor, in CreateOrgInput) (OrgWithOwner, error) {
	if !actor.IsOperator() {
		return OrgWithOwner{}, Errorf(CodeForbidden, "only the operator can create orgs")
	}
	slug, err := NormalizeSlug(in.Slug)
	if err != nil {
		return OrgWithOwner{}, err
	}
	name, err := validName(in.Name)
	if err != nil {
		return OrgWithOwner{}, err
	}
	plan, err := parsePlan(in.Plan)
	if err != nil {
		return OrgWithOwner{}, err
	}
	limit, err := seatLimit(plan, in.SeatLimit)
	if err != nil {
		return OrgWithOwner{}, err
	}
	if _, err := NormalizeEmail(in.OwnerEmail); err != nil {
		return OrgWithOwner{}, &Error{Code: CodeInvalid, Field: "ownerEmail", Message: "ownerEmail: " + ErrorMessage(err)}
	}
	now := s.Now()
	org := Org{ID: NewID(), Slug: slug, Name: name, Plan: plan, SeatLimit: limit,
		Settings: DefaultSettings(), CreatedAt: now, UpdatedAt: now}
	var out OrgWithOwner
	err = s.store.Update(ctx, func(tx StoreTx) error {
		if err := tx.CreateOrg(ctx, org); err != nil {
			if IsCode(err, CodeConflict) {
				return &Error{Code: CodeConflict, Field: "slug", Message: "an org with slug " + slug + " already exists"}
			}
			return err
		}
		if err := s.record(ctx, tx, Change{Actor: actor, OrgID: org.ID, Action: "org.created",
			TargetType: "org", TargetID: org.ID, After: org}); err != nil {
			return err
		}
		res, err := s.provisionTx(ctx, tx, ProvisionRequest{OrgID: org.ID, Entrance: EntranceBootstrap,
			Actor: actor, Role: RoleOwner, Identity: Identity{Email: in.OwnerEmail}})
		out = OrgWithOwner{Org: org, Owner: NewMember(res.Membership, res.User)}
		return err
	})
	return out, err
}

// ListOrgs lists every org. Operator only.
func (s *Service) ListOrgs(ctx context.Context, actor Actor) ([]Org, error) {
	if !actor.IsOperator() {
		return nil, Errorf(CodeForbidden, "only the operator can list all orgs")
	}
	var out []Org
	err := s.store.View(ctx, func(tx StoreTx) error {
		var err error
		out, err = tx.ListOrgs(ctx)
		return err
	})
	return out, err
}

// ResolveOrg finds an org by id or slug, for transports that accept either in a path.
func (s *Service) ResolveOrg(ctx context.Context, idOrSlug string) (Org, error) {
	var org Org
	err := s.store.View(ctx, func(tx StoreTx) error {
		var err error
		org, err = tx.GetOrg(ctx, idOrSlug)
		if IsCode(err, CodeNotFound) {
			org, err = tx.GetOrgBySlug(ctx, strings.ToLower(idOrSlug))
		}
		return err
	})
	return org, err
}

// GetOrg returns an org to the operator or any of its members; its settings only to owners,
// admins and the operator.
func (s *Service) GetOrg(ctx context.Context, actor Actor, orgID string) (OrgView, error) {
	var view OrgView
	err := s.store.View(ctx, func(tx StoreTx) error {
		c, err := need(ctx, tx, actor, orgID, RoleViewer, "see this org")
		if err != nil {
			return err
		}
		org, err := tx.GetOrg(ctx, orgID)
		view = ViewOf(org, c.role().IsAdmin())
		return err
	})
	return view, err
}

// OrgUpdate changes an org's name, plan or seat limit; nil fields stay.
type OrgUpdate struct {
	Name      *string `json:"name"`
	Plan      *string `json:"plan"`
	SeatLimit *int    `json:"seatLimit"`
	// Force lets the operator set a seat limit below the seats in use: the org is then over
	// its limit, and nobody gains a seat until enough are freed.
	Force bool `json:"force,omitempty"`
}

// UpdateOrg applies an OrgUpdate. Plan and seat limit: owners and the operator; name: admins too.
func (s *Service) UpdateOrg(ctx context.Context, actor Actor, orgID string, in OrgUpdate) (Org, error) {
	min := RoleAdmin
	if in.Plan != nil || in.SeatLimit != nil {
		min = RoleOwner
	}
	if in.Force && !actor.IsOperator() {
		return Org{}, Errorf(CodeForbidden, "only the operator can force a seat limit below the seats in use")
	}
	return s.changeOrg(ctx, actor, orgID, min, "change the plan or seat limit", "org.updated", func(tx Tx, o *Org) error {
		if in.Name != nil {
			name, err := validName(*in.Name)
			if err != nil {
				return err
			}
			o.Name = name
		}
		if in.Plan != nil {
			p, err := parsePlan(*in.Plan)
			if err != nil {
				return err
			}
			if in.SeatLimit == nil {
				o.SeatLimit = seats.DefaultLimit(p)
			}
			o.Plan = p
		}
		if in.SeatLimit != nil {
			l, err := seatLimit(o.Plan, in.SeatLimit)
			if err != nil {
				return err
			}
			o.SeatLimit = l
		}
		if in.Force || o.SeatLimit.IsUnlimited() || (in.SeatLimit == nil && in.Plan == nil) {
			return nil
		}
		u, err := s.usage(ctx, tx, *o)
		if err != nil || u.Used <= int(o.SeatLimit) {
			return err
		}
		return Errorf(CodeSeatLimit, "%d seats are in use, so the limit cannot be %s: free %d seats first (remove members, make them viewers, or cancel pending invitations), or ask the operator to force it", u.Used, o.SeatLimit, u.Used-int(o.SeatLimit))
	})
}

// UpdateSettings changes the settings a change carries and keeps the others. Owners and admins.
func (s *Service) UpdateSettings(ctx context.Context, actor Actor, orgID string, in SettingsChange) (Org, error) {
	if in.Empty() {
		return Org{}, Invalidf("settings", "send at least one setting to change: defaultRole, autoAssignSeats, reserveSeatsForInvites, inviteExpiryHours or tokenRateLimitPerMinute")
	}
	return s.changeOrg(ctx, actor, orgID, RoleAdmin, "change settings", "org.settings_changed", func(_ Tx, o *Org) error {
		next := in.Apply(o.Settings)
		if err := next.Validate(); err != nil {
			return err
		}
		o.Settings = next
		return nil
	})
}

// UpdateContact replaces the org contact. Owners and admins.
func (s *Service) UpdateContact(ctx context.Context, actor Actor, orgID string, in Contact) (Org, error) {
	in.Email = strings.ToLower(strings.TrimSpace(in.Email))
	if err := in.Validate(); err != nil {
		return Org{}, err
	}
	return s.changeOrg(ctx, actor, orgID, RoleAdmin, "change the org contact", "org.contact_changed", func(_ Tx, o *Org) error {
		o.Contact = in
		return nil
	})
}

func (s *Service) changeOrg(ctx context.Context, actor Actor, orgID string, min Role, what, action string, apply func(Tx, *Org) error) (Org, error) {
	var out Org
	err := s.store.Update(ctx, func(tx StoreTx) error {
		old, err := tx.LockOrg(ctx, orgID)
		if err != nil {
			return err
		}
		c, err := need(ctx, tx, actor, orgID, min, what)
		if err != nil {
			return err
		}
		next := old
		if err := apply(tx, &next); err != nil {
			return err
		}
		next.UpdatedAt = s.Now()
		if err := tx.UpdateOrg(ctx, next); err != nil {
			return err
		}
		out = next
		return s.record(ctx, tx, Change{Actor: c.Actor, OrgID: orgID, Action: action,
			TargetType: "org", TargetID: orgID, Before: old, After: next})
	})
	return out, err
}

// DeleteOrg deletes an org and its memberships; users stay. Owners and the operator.
func (s *Service) DeleteOrg(ctx context.Context, actor Actor, orgID string) error {
	return s.store.Update(ctx, func(tx StoreTx) error {
		if _, err := tx.LockOrg(ctx, orgID); err != nil {
			return err
		}
		c, err := need(ctx, tx, actor, orgID, RoleOwner, "delete the org")
		if err != nil {
			return err
		}
		if err := tx.DeleteOrg(ctx, orgID); err != nil {
			return err
		}
		return s.record(ctx, tx, Change{Actor: c.Actor, OrgID: orgID, Action: "org.deleted",
			TargetType: "org", TargetID: orgID})
	})
}

// ListAudit returns the org's audit log, newest first. Owners and admins.
func (s *Service) ListAudit(ctx context.Context, actor Actor, q AuditQuery) ([]AuditEvent, error) {
	var out []AuditEvent
	err := s.store.View(ctx, func(tx StoreTx) error {
		if _, err := need(ctx, tx, actor, q.OrgID, RoleAdmin, "read the audit log"); err != nil {
			return err
		}
		var err error
		out, err = tx.ListAudit(ctx, q)
		return err
	})
	return out, err
}

// GetSettings returns an org's provisioning settings. Owners and admins.
func (s *Service) GetSettings(ctx context.Context, actor Actor, orgID string) (Settings, error) {
	var out Settings
	err := s.store.View(ctx, func(tx StoreTx) error {
		if _, err := need(ctx, tx, actor, orgID, RoleAdmin, "see settings"); err != nil {
			return err
		}
		org, err := tx.GetOrg(ctx, orgID)
		out = org.Settings
		return err
	})
	return out, err
}
