package invites

import (
	"context"
	"strings"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

// View is an invitation as its invitee sees it.
type View struct {
	ID        string                       `json:"id"`
	OrgName   string                       `json:"orgName"`
	OrgSlug   string                       `json:"orgSlug"`
	Email     string                       `json:"email"`
	Role      provisioning.Role            `json:"role"`
	State     provisioning.InvitationState `json:"state"`
	Inviter   string                       `json:"inviter"`
	ExpiresAt *time.Time                   `json:"expiresAt,omitempty"`
}

// Accepted is an accepted invitation and the membership it produced.
type Accepted struct {
	Invitation provisioning.Invitation `json:"invitation"`
	Membership provisioning.Membership `json:"membership"`
	OrgSlug    string                  `json:"orgSlug"`
	OrgName    string                  `json:"orgName"`
	// SeatWithheld explains why the member joined as viewer, when they did.
	SeatWithheld string `json:"seatWithheld,omitempty"`
}

// notRefChar reports a character no invitation id or link secret holds.
func notRefChar(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_')
}

var errBadLink = provisioning.Errorf(provisioning.CodeNotFound, "this invitation link is not valid: it may be mistyped, or a newer invitation replaced it")

// findRef reads an invitation by its link secret, or by id for the signed-in invitee only. A
// ref that is neither (ids and secrets are URL-safe base64 and dashes) is not looked up: a NUL
// byte or invalid UTF-8 would make Postgres refuse the query where SQLite finds nothing.
func findRef(ctx context.Context, tx provisioning.InviteTxn, ref string, u *provisioning.User) (provisioning.Invitation, error) {
	if len(ref) > 200 || ref == "" || strings.ContainsFunc(ref, notRefChar) {
		return provisioning.Invitation{}, errBadLink
	}
	var inv provisioning.Invitation
	var err error
	if strings.HasPrefix(ref, InvitationPrefix) {
		inv, err = tx.GetInvitationByHash(ctx, provisioning.HashSecret(ref))
	} else {
		inv, err = tx.GetInvitation(ctx, ref)
		if err == nil {
			if err := mayOpenByID(u, inv); err != nil {
				return provisioning.Invitation{}, err
			}
		}
	}
	if provisioning.IsCode(err, provisioning.CodeNotFound) {
		return inv, errBadLink
	}
	return inv, err
}

// mayOpenByID lets only the signed-in invitee open an invitation by its id, and tells anyone
// else which address to sign in as, masked (m…@acme.com), rather than a misleading not found.
func mayOpenByID(u *provisioning.User, inv provisioning.Invitation) error {
	switch {
	case u == nil:
		return provisioning.Errorf(provisioning.CodeUnauthorized, "this invitation is for %s: sign in as that address to see it", maskEmail(inv.Email))
	case u.Email != inv.Email:
		return provisioning.Errorf(provisioning.CodeEmailMismatch, "this invitation is for %s, and you are signed in as %s: sign in as that address", maskEmail(inv.Email), u.Email)
	case !u.EmailVerified:
		return provisioning.Errorf(provisioning.CodeForbidden, "%s is not verified yet: sign in with the email link sent to it", u.Email)
	}
	return nil
}

// maskEmail keeps an address's first letter and its domain: m…@acme.com.
func maskEmail(email string) string {
	local, domain, ok := strings.Cut(email, "@")
	if !ok || local == "" {
		return "…"
	}
	r := []rune(local)
	return string(r[0]) + "…@" + domain
}

// openState refuses an invitation that is no longer pending, each state with its own code.
func openState(inv provisioning.Invitation, now time.Time) error {
	switch inv.StateAt(now) {
	case provisioning.InvitationExpired:
		return provisioning.Errorf(provisioning.CodeInvitationExpired, "this invitation expired on %s: ask %s for a new one", inv.ExpiresAt.UTC().Format("2 January 2006 at 15:04 UTC"), inv.InviterLabel)
	case provisioning.InvitationRevoked:
		return provisioning.Errorf(provisioning.CodeInvitationRevoked, "this invitation was revoked by the org's admins")
	case provisioning.InvitationAccepted:
		return provisioning.Errorf(provisioning.CodeInvitationUsed, "this invitation was already accepted")
	case provisioning.InvitationDeclined:
		return provisioning.Errorf(provisioning.CodeInvitationUsed, "this invitation was declined")
	}
	return nil
}

// mustBeInvitee requires the signed-in user's verified email to be the invited one.
func mustBeInvitee(u provisioning.User, inv provisioning.Invitation) error {
	if u.Email != inv.Email {
		return provisioning.Errorf(provisioning.CodeEmailMismatch, "this invitation is for %s, but you are signed in as %s: sign out and sign in as %s", inv.Email, u.Email, inv.Email)
	}
	if !u.EmailVerified {
		return provisioning.Errorf(provisioning.CodeForbidden, "%s is not verified yet: sign in with the email link sent to it, then accept", u.Email)
	}
	return nil
}

// decide locks the invitation's org, re-reads the invitation and moves it from pending to state
// for its invitee. Of racing decisions exactly one wins; the others get the state it left.
func (s *Service) decide(ctx context.Context, tx provisioning.InviteTxn, u provisioning.User, ref string, state provisioning.InvitationState) (provisioning.Invitation, error) {
	inv, err := findRef(ctx, tx, ref, &u)
	if err != nil {
		return inv, err
	}
	if _, err := s.svc.HoldOrgTx(ctx, tx, inv.OrgID); err != nil {
		return inv, err
	}
	if inv, err = findRef(ctx, tx, ref, &u); err != nil {
		return inv, err
	}
	now := s.svc.Now()
	if err := openState(inv, now); err != nil {
		return inv, err
	}
	if err := mustBeInvitee(u, inv); err != nil {
		return inv, err
	}
	won, err := tx.DecideInvitation(ctx, inv.ID, state, now)
	if err != nil {
		return inv, err
	}
	if !won {
		fresh, err := tx.GetInvitation(ctx, inv.ID)
		if err != nil {
			return inv, err
		}
		if err := openState(fresh, now); err != nil {
			return inv, err
		}
		return inv, provisioning.Errorf(provisioning.CodeConflict, "this invitation changed while you answered it: reload and try again")
	}
	before := inv
	inv.State, inv.DecidedAt, inv.UpdatedAt = state, &now, now
	return inv, s.record(ctx, tx, provisioning.UserActor(u), "invitation."+string(state), before, inv, "")
}

// Accept accepts an invitation for the signed-in user u and brings them into the org through
// the pipeline (entrance invite, the invitation's role). The invitation is marked accepted first,
// in the same transaction, so its reserved seat is released before the pipeline counts seats.
func (s *Service) Accept(ctx context.Context, u provisioning.User, ref string) (Accepted, error) {
	var out Accepted
	err := s.svc.InviteDoor().Update(ctx, func(tx provisioning.InviteTxn) error {
		inv, err := s.decide(ctx, tx, u, ref, provisioning.InvitationAccepted)
		if err != nil {
			return err
		}
		res, err := s.svc.ProvisionTx(ctx, tx, provisioning.ProvisionRequest{
			OrgID: inv.OrgID, Entrance: provisioning.EntranceInvite, Actor: provisioning.UserActor(u),
			Identity: provisioning.Identity{Email: inv.Email, EmailVerified: true}, Role: inv.Role,
			Reason: "accepted the invitation from " + inv.InviterLabel,
		})
		if err != nil {
			return err
		}
		if err := tx.SetInvitationMembership(ctx, inv.ID, res.Membership.ID); err != nil {
			return err
		}
		inv.MembershipID = res.Membership.ID
		org, err := tx.GetOrg(ctx, inv.OrgID)
		out = Accepted{Invitation: inv, Membership: res.Membership, OrgSlug: org.Slug, OrgName: org.Name, SeatWithheld: string(res.SeatWithheld)}
		return err
	})
	return out, err
}

// Decline declines an invitation for the signed-in invitee u; its reserved seat is released.
func (s *Service) Decline(ctx context.Context, u provisioning.User, ref string) (provisioning.Invitation, error) {
	var out provisioning.Invitation
	err := s.svc.InviteDoor().Update(ctx, func(tx provisioning.InviteTxn) error {
		var err error
		out, err = s.decide(ctx, tx, u, ref, provisioning.InvitationDeclined)
		return err
	})
	return out, err
}

// Show returns the invitation behind a link (anyone holding it), or behind an id (its signed-in
// invitee only). u may be nil.
func (s *Service) Show(ctx context.Context, u *provisioning.User, ref string) (View, error) {
	var v View
	err := s.svc.InviteDoor().View(ctx, func(tx provisioning.InviteTxn) error {
		inv, err := findRef(ctx, tx, ref, u)
		if err != nil {
			return err
		}
		v, err = s.view(ctx, tx, inv)
		return err
	})
	return v, err
}

func (s *Service) view(ctx context.Context, tx provisioning.InviteTxn, inv provisioning.Invitation) (View, error) {
	org, err := tx.GetOrg(ctx, inv.OrgID)
	return View{ID: inv.ID, OrgName: org.Name, OrgSlug: org.Slug, Email: inv.Email, Role: inv.Role,
		State: inv.StateAt(s.svc.Now()), Inviter: inv.InviterLabel, ExpiresAt: inv.ExpiresAt}, err
}

// Mine lists the pending invitations of the signed-in user's verified email.
func (s *Service) Mine(ctx context.Context, u provisioning.User) ([]View, error) {
	out := []View{}
	if !u.EmailVerified {
		return out, nil
	}
	err := s.svc.InviteDoor().View(ctx, func(tx provisioning.InviteTxn) error {
		list, err := tx.ListInvitations(ctx, provisioning.InvitationQuery{Email: u.Email, State: provisioning.InvitationPending, Now: s.svc.Now(), Limit: 100})
		if err != nil {
			return err
		}
		for _, inv := range list {
			v, err := s.view(ctx, tx, inv)
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		return nil
	})
	return out, err
}
