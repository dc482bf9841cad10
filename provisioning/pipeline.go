package provisioning

import (
	"context"
	"slices"
	"strings"

	"github.com/rollcall/rollcall/seats"
)

// Identity is who an entrance says is arriving.
type Identity struct {
	Email string
	// EmailVerified is true when the entrance proved the email itself (an email link). An org's
	// IdP proves nothing by saying so: the core trusts it for the org's verified domains only.
	EmailVerified bool
	FirstName     string
	LastName      string
	// Issuer and Subject name a linked external identity, e.g. "saml:<connection id>" and a
	// persistent NameID or OIDC sub.
	Issuer  string
	Subject string
	// Transient says the IdP (Issuer) gave no persistent subject, such as a transient NameID:
	// the person is linked to the connection by the email they sign in with.
	Transient bool
	// ExternalID is the directory's id for the person (SCIM externalId).
	ExternalID string
	// Groups are the IdP groups; nil leaves the stored groups untouched.
	Groups []string
}

// ProvisionRequest is what every entrance hands to the core.
type ProvisionRequest struct {
	OrgID    string
	Entrance Entrance
	Actor    Actor
	Identity Identity
	// Role is the requested role (invitation, mapping rule); empty keeps an existing member's
	// role and gives a newcomer DefaultRole.
	Role Role
	// DefaultRole is a newcomer's role when Role is empty; empty means the org's default role.
	DefaultRole Role
	// ExistingMembersOnly lets only people with an active membership through (SSO with JIT
	// off): nobody new is created or joined.
	ExistingMembersOnly bool
	// Reactivate lets the request bring back a suspended membership (SCIM active=true).
	Reactivate bool
	// Suspended makes a new (or resurfaced) membership arrive suspended, holding no seat, in
	// one step (SCIM create with active=false). An existing membership is left as it is.
	Suspended bool
	// Reason is recorded in the audit log beside the core's own reasons.
	Reason string
}

// Outcome says what the pipeline did.
type Outcome string

// Pipeline outcomes.
const (
	OutcomeCreated     Outcome = "created"
	OutcomeResurfaced  Outcome = "resurfaced"
	OutcomeReactivated Outcome = "reactivated"
	OutcomeUpdated     Outcome = "updated"
	OutcomeUnchanged   Outcome = "unchanged"
)

// ProvisionResult is the user and membership after the pipeline ran.
type ProvisionResult struct {
	User        User
	Membership  Membership
	Outcome     Outcome
	UserCreated bool
	// SeatWithheld explains why a seat role came in as viewer, when it did.
	SeatWithheld seats.Reason
}

// Provision runs the pipeline in its own transaction.
func (s *Service) Provision(ctx context.Context, req ProvisionRequest) (ProvisionResult, error) {
	var res ProvisionResult
	err := s.store.Update(ctx, func(tx StoreTx) error {
		var err error
		res, err = s.provisionTx(ctx, tx, req)
		return err
	})
	return res, err
}

// ProvisionTx runs the pipeline in the entrance's transaction, so an entrance can commit its own
// rows (an accepted invitation, SCIM attributes) atomically with the membership. An entrance
// that consumes a seat it reserved (an invitation) must release that reservation in the same
// transaction before calling.
func (s *Service) ProvisionTx(ctx context.Context, in Txn, req ProvisionRequest) (ProvisionResult, error) {
	return s.provisionTx(ctx, in.storeTx(), req)
}

func (s *Service) provisionTx(ctx context.Context, tx StoreTx, req ProvisionRequest) (ProvisionResult, error) {
	if err := req.validate(); err != nil {
		return ProvisionResult{}, err
	}
	user, created, err := s.resolveUser(ctx, tx, arrivalOf(req))
	if err != nil {
		return ProvisionResult{}, err
	}
	// The org lock comes after the user, which needs none: it is held only for the seat and
	// membership decision and the writes that follow, so joins into one org queue briefly.
	org, err := tx.LockOrgForJoin(ctx, req.OrgID)
	if err != nil {
		return ProvisionResult{}, err
	}
	res := ProvisionResult{User: user, UserCreated: created}
	m, err := lockMembership(ctx, tx, org.ID, user, created)
	if req.ExistingMembersOnly && (IsCode(err, CodeNotFound) || (err == nil && m.Status != StatusActive)) {
		return res, notAMember(ctx, tx, org.ID, user.Email)
	}
	switch {
	case IsCode(err, CodeNotFound):
		return s.join(ctx, tx, org, req, res, Membership{})
	case err != nil:
		return res, err
	case m.Status == StatusRemoved:
		if !req.Entrance.MayResurface() {
			return res, Errorf(CodeForbidden, "%s was removed from %s; only an admin's invitation or the directory can bring them back", user.Email, org.Name)
		}
		return s.join(ctx, tx, org, req, res, m)
	case m.Status == StatusSuspended && req.Suspended:
		res.Membership, res.Outcome = m, OutcomeUnchanged
		return res, nil
	case m.Status == StatusSuspended:
		if !req.Reactivate {
			return res, Errorf(CodeForbidden, "the membership of %s in %s is suspended", user.Email, org.Name)
		}
		return s.reactivate(ctx, tx, org, req, res, m)
	}
	return s.update(ctx, tx, org, req, res, m)
}

// lockMembership locks the user's membership of the org. A user this transaction created has
// none, and none can be made by another transaction before this one commits: no statement.
func lockMembership(ctx context.Context, tx StoreTx, orgID string, user User, created bool) (Membership, error) {
	if created {
		return Membership{}, Errorf(CodeNotFound, "%s is not a member", user.Email)
	}
	return tx.LockMembership(ctx, orgID, user.ID)
}

func (r *ProvisionRequest) validate() error {
	if r.OrgID == "" {
		return Invalidf("org", "org is required")
	}
	if !r.Entrance.Valid() {
		return Invalidf("entrance", "unknown entrance %q", r.Entrance)
	}
	email, err := NormalizeEmail(r.Identity.Email)
	if err != nil {
		return err
	}
	r.Identity.Email = email
	if r.Role != "" && !r.Role.Valid() {
		return Invalidf("role", "unknown role %q", r.Role)
	}
	if (r.Role == RoleOwner || r.DefaultRole == RoleOwner) && r.Entrance != EntranceBootstrap && r.Entrance != EntranceManual && r.Entrance != EntranceInvite {
		return Invalidf("role", "the %s entrance cannot grant the owner role", r.Entrance)
	}
	if r.Identity.Issuer != "" && (r.Identity.Subject == "") != r.Identity.Transient {
		return Invalidf("subject", "an external identity needs a subject, or is transient without one")
	}
	if r.Identity.Issuer == "" && (r.Identity.Subject != "" || r.Identity.Transient) {
		return Invalidf("subject", "an external identity needs an issuer")
	}
	if r.DefaultRole != "" && !r.DefaultRole.Valid() {
		return Invalidf("defaultRole", "unknown role %q", r.DefaultRole)
	}
	r.Identity.FirstName = CleanDisplay(r.Identity.FirstName, MaxNameLength)
	r.Identity.LastName = CleanDisplay(r.Identity.LastName, MaxNameLength)
	return nil
}

// decideSeat returns the role a join or reactivation actually gets under the seat rules.
func (s *Service) decideSeat(ctx context.Context, tx Tx, org Org, role Role, e Entrance) (Role, seats.Reason, error) {
	if !role.NeedsSeat() {
		return role, seats.ReasonNone, nil
	}
	usage := seats.Usage{Limit: org.SeatLimit}
	if !org.SeatLimit.IsUnlimited() {
		var err error
		if usage, err = s.usage(ctx, tx, org); err != nil {
			return "", "", err
		}
	}
	decision, reason := seats.Decide(usage, seats.Join{
		Automatic:       e.Automatic(),
		DegradeWhenFull: e == EntranceInvite,
		AutoAssign:      org.Settings.AutoAssignSeats,
	})
	switch decision {
	case seats.Grant:
		return role, seats.ReasonNone, nil
	case seats.Viewer:
		return RoleViewer, reason, nil
	}
	return "", reason, seatLimitError(usage)
}

func seatLimitError(u seats.Usage) error {
	return Errorf(CodeSeatLimit, "no free seat: %s seats used; raise the seat limit or free a seat", u)
}

func (s *Service) usage(ctx context.Context, tx Tx, org Org) (seats.Usage, error) {
	used, err := tx.CountSeatsUsed(ctx, org.ID, org.Settings.ReserveSeatsForInvites, s.Now())
	return seats.Usage{Used: used, Limit: org.SeatLimit}, err
}

func (req ProvisionRequest) wantedRole(org Org) Role {
	if req.Role != "" {
		return req.Role
	}
	if req.DefaultRole != "" {
		return req.DefaultRole
	}
	return org.Settings.DefaultRole
}

// join creates a membership, or resurfaces a removed one with its old data. A person with a
// proven email who joins another way while invited settles the invitation first: its held seat
// is released before the seat decision, and they get the invited role when it is higher.
func (s *Service) join(ctx context.Context, tx StoreTx, org Org, req ProvisionRequest, res ProvisionResult, old Membership) (ProvisionResult, error) {
	want := req.wantedRole(org)
	if !directoryMaySetRole(req.Actor, "", want) {
		want = RoleMember
		req.Reason = strings.TrimPrefix(req.Reason+"; admin needs a directory token created by an owner", "; ")
	}
	invited, err := s.settleInvitation(ctx, tx, org, req, res.User)
	if err != nil {
		return res, err
	}
	if invited != nil && invited.Role.Rank() > want.Rank() {
		want = invited.Role
	}
	role, status, reason := want, StatusActive, seats.ReasonNone
	if req.Suspended {
		status = StatusSuspended // no seat while suspended: reactivation decides it
	} else if role, reason, err = s.decideSeat(ctx, tx, org, want, req.Entrance); err != nil {
		return res, err
	}
	now := s.Now()
	m := old
	m.Role, m.Status, m.Source, m.UpdatedAt = role, status, req.Entrance, now
	if req.Identity.ExternalID != "" {
		m.ExternalID = req.Identity.ExternalID
	}
	if req.Identity.Groups != nil {
		m.Groups = req.Identity.Groups
	}
	action := "member.resurfaced"
	res.Outcome = OutcomeResurfaced
	if old.ID == "" {
		m.ID, m.OrgID, m.UserID, m.JoinedAt = NewID(), org.ID, res.User.ID, now
		action, res.Outcome = "member.joined", OutcomeCreated
		err = tx.InsertMembership(ctx, m)
	} else {
		err = tx.UpdateMembership(ctx, m)
	}
	if err != nil {
		return res, err
	}
	if invited != nil {
		if err := s.recordSettled(ctx, tx, req, *invited, m.ID); err != nil {
			return res, err
		}
	}
	res.Membership, res.SeatWithheld = m, reason
	return res, s.recordMember(ctx, tx, req, action, old, m, res.User.Email, reason)
}

// reactivate brings back a suspended membership under the seat rules of its entrance.
func (s *Service) reactivate(ctx context.Context, tx Tx, org Org, req ProvisionRequest, res ProvisionResult, old Membership) (ProvisionResult, error) {
	want := old.Role
	if req.Role != "" && req.Entrance.MapsRoles() && old.Role != RoleOwner && directoryMaySetRole(req.Actor, old.Role, req.Role) {
		want = req.Role
	}
	role, reason, err := s.decideSeat(ctx, tx, org, want, req.Entrance)
	if err != nil {
		return res, err
	}
	m := old
	m.Role, m.Status, m.UpdatedAt = role, StatusActive, s.Now()
	applyIdentity(&m, req.Identity)
	if err := tx.UpdateMembership(ctx, m); err != nil {
		return res, err
	}
	res.Membership, res.SeatWithheld, res.Outcome = m, reason, OutcomeReactivated
	return res, s.recordMember(ctx, tx, req, "member.reactivated", old, m, res.User.Email, reason)
}

func applyIdentity(m *Membership, id Identity) {
	if id.ExternalID != "" {
		m.ExternalID = id.ExternalID
	}
	if id.Groups != nil {
		m.Groups = id.Groups
	}
}

// update refreshes an active membership: external ids, groups and, for entrances that map
// roles from the IdP, the role (never an owner's). An invitation accepted by someone who joined
// another way meanwhile raises them to the invited role (never lowers them).
func (s *Service) update(ctx context.Context, tx Tx, org Org, req ProvisionRequest, res ProvisionResult, old Membership) (ProvisionResult, error) {
	switch req.Entrance {
	case EntranceManual, EntranceBootstrap:
		return res, Errorf(CodeConflict, "%s is already a member of %s", res.User.Email, org.Name)
	}
	m := old
	applyIdentity(&m, req.Identity)
	var reason seats.Reason
	raise := req.Entrance == EntranceInvite && req.Role.Rank() > old.Role.Rank()
	if (raise || req.Entrance.MapsRoles()) && req.Role != "" && req.Role != old.Role && old.Role != RoleOwner &&
		directoryMaySetRole(req.Actor, old.Role, req.Role) {
		role := req.Role
		if role.NeedsSeat() && !old.Role.NeedsSeat() {
			var err error
			if role, reason, err = s.decideSeat(ctx, tx, org, role, req.Entrance); err != nil {
				return res, err
			}
		}
		m.Role = role
	}
	res.Membership, res.SeatWithheld = old, reason
	if m.Role == old.Role && m.ExternalID == old.ExternalID && slices.Equal(m.Groups, old.Groups) {
		res.Outcome = OutcomeUnchanged
		return res, nil
	}
	m.UpdatedAt = s.Now()
	if err := tx.UpdateMembership(ctx, m); err != nil {
		return res, err
	}
	res.Membership, res.Outcome = m, OutcomeUpdated
	action := "member.updated"
	if m.Role != old.Role {
		action = "member.role_changed"
	}
	return res, s.recordMember(ctx, tx, req, action, old, m, res.User.Email, reason)
}

func (s *Service) recordMember(ctx context.Context, tx Tx, req ProvisionRequest, action string, old, m Membership, email string, reason seats.Reason) error {
	return s.record(ctx, tx, memberAudit(req, action, old, m, email, reason))
}

// memberAudit is the audited change of a membership from old to m.
func memberAudit(req ProvisionRequest, action string, old, m Membership, email string, reason seats.Reason) Change {
	why := req.Reason
	if reason != seats.ReasonNone {
		why = strings.TrimPrefix(why+"; joined as viewer: "+string(reason), "; ")
	}
	return Change{
		Actor: req.Actor, OrgID: m.OrgID, Entrance: req.Entrance, Action: action,
		TargetType: "member", TargetID: m.ID, Before: snapshot(old, email), After: snapshot(m, email),
		Reason: why, Webhook: true,
	}
}
