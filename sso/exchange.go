package sso

import (
	"context"
	"strings"

	"github.com/rollcall/rollcall/provisioning"
)

// ExchangeInput is what the app sends to trade a sign-in code for the profile.
type ExchangeInput struct {
	Code string `json:"code"`
	// RedirectURI must be the redirect URI the sign-in returned to, exactly.
	RedirectURI string `json:"redirectUri"`
}

// Profile is what the app learns about a person who signed in through SSO, read fresh at
// exchange time.
type Profile struct {
	User       ProfileUser       `json:"user"`
	Org        ProfileOrg        `json:"org"`
	Membership ProfileMembership `json:"membership"`
	Role       provisioning.Role `json:"role"`
	HasSeat    bool              `json:"hasSeat"`
	// Groups are the IdP groups of this sign-in; null when the IdP sent none.
	Groups     []string          `json:"groups"`
	Connection ProfileConnection `json:"connection"`
}

// ProfileUser is the person.
type ProfileUser struct {
	ID            string `json:"id"`
	Email         string `json:"email"`
	FirstName     string `json:"firstName"`
	LastName      string `json:"lastName"`
	EmailVerified bool   `json:"emailVerified"`
}

// ProfileOrg is the org signed in to.
type ProfileOrg struct {
	ID   string `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// ProfileMembership is the person's membership in the org.
type ProfileMembership struct {
	ID     string              `json:"id"`
	Role   provisioning.Role   `json:"role"`
	Status provisioning.Status `json:"status"`
}

// ProfileConnection is the connection used.
type ProfileConnection struct {
	ID       string `json:"id"`
	Name     string `json:"name,omitempty"`
	Protocol string `json:"protocol,omitempty"`
}

// Exchange trades a one-time sign-in code for the profile. The caller is the SaaS app's back
// end holding the operator key or an API token of an owner or admin of the code's org; a token
// of another org is refused and leaves the code unused. A code works once, within CodeTTL, and
// only with the redirect URI it was issued for.
func (s *Service) Exchange(ctx context.Context, actor provisioning.Actor, in ExchangeInput) (Profile, error) {
	if !strings.HasPrefix(in.Code, codePrefix) {
		return Profile{}, provisioning.Invalidf("code", "code is not a Rollcall sign-in code")
	}
	var p Profile
	err := s.svc.SSODoor().Update(ctx, func(tx provisioning.SSOTxn) error {
		c, err := tx.ConsumeSSOCode(ctx, provisioning.HashSecret(in.Code), s.svc.Now())
		if provisioning.IsCode(err, provisioning.CodeNotFound) {
			return provisioning.Invalidf("code", "the code is unknown, expired or already used: sign in again")
		}
		if err != nil {
			return err
		}
		if _, err := s.svc.Authorize(ctx, tx, actor, c.OrgID, provisioning.RoleAdmin, "exchange sign-in codes"); err != nil {
			return err
		}
		if c.RedirectURI != in.RedirectURI {
			return provisioning.Invalidf("redirectUri", "redirectUri is not the redirect URI this sign-in returned to")
		}
		p, err = s.profile(ctx, tx, c)
		return err
	})
	return p, err
}

func (s *Service) profile(ctx context.Context, tx provisioning.SSOTxn, c provisioning.SSOCode) (Profile, error) {
	m, err := tx.GetMembershipByID(ctx, c.OrgID, c.MembershipID)
	if provisioning.IsCode(err, provisioning.CodeNotFound) || (err == nil && m.Status != provisioning.StatusActive) {
		return Profile{}, provisioning.Errorf(provisioning.CodeForbidden, "the membership of this sign-in is no longer active")
	}
	if err != nil {
		return Profile{}, err
	}
	u, err := tx.GetUser(ctx, c.UserID)
	if err != nil {
		return Profile{}, err
	}
	org, err := tx.GetOrg(ctx, c.OrgID)
	if err != nil {
		return Profile{}, err
	}
	p := Profile{
		User: ProfileUser{ID: u.ID, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName, EmailVerified: u.EmailVerified},
		Org:  ProfileOrg{ID: org.ID, Slug: org.Slug, Name: org.Name}, Role: m.Role, HasSeat: m.HasSeat(),
		Membership: ProfileMembership{ID: m.ID, Role: m.Role, Status: m.Status}, Groups: c.Groups,
		Connection: ProfileConnection{ID: c.ConnectionID},
	}
	if conn, err := tx.GetSSOConnection(ctx, c.ConnectionID); err == nil {
		p.Connection.Name, p.Connection.Protocol = conn.Name, conn.Protocol
	}
	return p, nil
}
