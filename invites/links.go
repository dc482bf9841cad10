package invites

import (
	"context"
	"strings"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

// LinkInfo describes an org's invite link for one role. URL is set only when the link was just
// (re)generated: only its hash is stored.
type LinkInfo struct {
	Role      provisioning.Role `json:"role"`
	Enabled   bool              `json:"enabled"`
	Hint      string            `json:"hint,omitempty"`
	CreatedAt *time.Time        `json:"createdAt,omitempty"`
	URL       string            `json:"url,omitempty"`
}

// LinkRoles are the roles that have invite links.
var LinkRoles = []provisioning.Role{provisioning.RoleMember, provisioning.RoleAdmin}

func linkRole(r provisioning.Role) (provisioning.Role, error) {
	role := provisioning.Role(strings.ToLower(strings.TrimSpace(string(r))))
	if role != provisioning.RoleMember && role != provisioning.RoleAdmin {
		return "", provisioning.Invalidf("role", "invite links exist for the member and admin roles, not %q", r)
	}
	return role, nil
}

func linkInfo(l provisioning.InviteLink) LinkInfo {
	return LinkInfo{Role: l.Role, Enabled: true, Hint: l.Hint, CreatedAt: &l.CreatedAt}
}

// Links returns the org's invite links, one per role, enabled or not (owners, admins).
func (s *Service) Links(ctx context.Context, actor provisioning.Actor, orgID string) ([]LinkInfo, error) {
	var out []LinkInfo
	err := s.svc.InviteDoor().View(ctx, func(tx provisioning.InviteTxn) error {
		if _, err := s.svc.Authorize(ctx, tx, actor, orgID, provisioning.RoleAdmin, "see invite links"); err != nil {
			return err
		}
		for _, role := range LinkRoles {
			l, err := tx.GetInviteLink(ctx, orgID, role)
			switch {
			case err == nil:
				out = append(out, linkInfo(l))
			case provisioning.IsCode(err, provisioning.CodeNotFound):
				out = append(out, LinkInfo{Role: role})
			default:
				return err
			}
		}
		return nil
	})
	return out, err
}

// Link returns the org's invite link for role (owners, admins).
func (s *Service) Link(ctx context.Context, actor provisioning.Actor, orgID string, role provisioning.Role) (LinkInfo, error) {
	role, err := linkRole(role)
	if err != nil {
		return LinkInfo{}, err
	}
	all, err := s.Links(ctx, actor, orgID)
	for _, l := range all {
		if l.Role == role {
			return l, nil
		}
	}
	return LinkInfo{}, err
}

// RegenerateLink makes a new invite link for role and returns its URL, once; the old link stops
// working at once. The admin link is managed by owners only.
func (s *Service) RegenerateLink(ctx context.Context, actor provisioning.Actor, orgID string, role provisioning.Role) (LinkInfo, error) {
	role, err := linkRole(role)
	if err != nil {
		return LinkInfo{}, err
	}
	var out LinkInfo
	err = s.svc.InviteDoor().Update(ctx, func(tx provisioning.InviteTxn) error {
		if err := s.mayManageLink(ctx, tx, actor, orgID, role); err != nil {
			return err
		}
		secret, hash := provisioning.NewSecret(LinkPrefix)
		l := provisioning.InviteLink{OrgID: orgID, Role: role, TokenHash: hash, Hint: provisioning.SecretHint(secret),
			CreatedBy: actor.ID, CreatedAt: s.svc.Now()}
		if err := tx.PutInviteLink(ctx, l); err != nil {
			return err
		}
		out = linkInfo(l)
		out.URL = s.url("/join/" + secret)
		return s.recordLink(ctx, tx, actor, orgID, role, "invite_link.regenerated")
	})
	return out, err
}

// DisableLink turns the invite link for role off.
func (s *Service) DisableLink(ctx context.Context, actor provisioning.Actor, orgID string, role provisioning.Role) error {
	role, err := linkRole(role)
	if err != nil {
		return err
	}
	return s.svc.InviteDoor().Update(ctx, func(tx provisioning.InviteTxn) error {
		if err := s.mayManageLink(ctx, tx, actor, orgID, role); err != nil {
			return err
		}
		err := tx.DeleteInviteLink(ctx, orgID, role)
		if provisioning.IsCode(err, provisioning.CodeNotFound) {
			return provisioning.Errorf(provisioning.CodeNotFound, "the %s invite link is already off", role)
		}
		if err != nil {
			return err
		}
		return s.recordLink(ctx, tx, actor, orgID, role, "invite_link.disabled")
	})
}

func (s *Service) mayManageLink(ctx context.Context, tx provisioning.InviteTxn, actor provisioning.Actor, orgID string, role provisioning.Role) error {
	if _, err := s.svc.HoldOrgTx(ctx, tx, orgID); err != nil {
		return err
	}
	if _, err := s.svc.Authorize(ctx, tx, actor, orgID, provisioning.RoleAdmin, "manage invite links"); err != nil {
		return err
	}
	if err := s.svc.MayGrant(ctx, tx, actor, orgID, role); err != nil {
		return provisioning.Errorf(provisioning.CodeForbidden, "only owners can manage the %s invite link", role)
	}
	return nil
}

func (s *Service) recordLink(ctx context.Context, tx provisioning.InviteTxn, actor provisioning.Actor, orgID string, role provisioning.Role, action string) error {
	return s.svc.Record(ctx, tx, provisioning.Change{Actor: actor, OrgID: orgID, Entrance: provisioning.EntranceInviteLink,
		Action: action, TargetType: "invite_link", TargetID: string(role), Webhook: false})
}

var errBadJoinLink = provisioning.Errorf(provisioning.CodeNotFound, "this invite link is not valid: it may be mistyped, turned off, or replaced by a newer link")

// LinkOrg returns the org and role behind an invite link, for the join page.
func (s *Service) LinkOrg(ctx context.Context, secret string) (provisioning.Org, provisioning.Role, error) {
	var org provisioning.Org
	var role provisioning.Role
	err := s.svc.InviteDoor().View(ctx, func(tx provisioning.InviteTxn) error {
		l, err := linkBySecret(ctx, tx, secret)
		if err != nil {
			return err
		}
		role = l.Role
		org, err = tx.GetOrg(ctx, l.OrgID)
		return err
	})
	return org, role, err
}

func linkBySecret(ctx context.Context, tx provisioning.InviteTxn, secret string) (provisioning.InviteLink, error) {
	if !strings.HasPrefix(secret, LinkPrefix) || len(secret) > 200 {
		return provisioning.InviteLink{}, errBadJoinLink
	}
	l, err := tx.GetInviteLinkByHash(ctx, provisioning.HashSecret(secret))
	if provisioning.IsCode(err, provisioning.CodeNotFound) {
		return l, errBadJoinLink
	}
	return l, err
}

// Join brings the signed-in user u into the org of an invite link through the pipeline
// (entrance invite_link, the link's role, the seat rules of automatic joins). u's email must be
// verified. Joining again as an active member changes nothing.
func (s *Service) Join(ctx context.Context, u provisioning.User, secret string) (provisioning.ProvisionResult, provisioning.Org, error) {
	var res provisioning.ProvisionResult
	var org provisioning.Org
	if !u.EmailVerified {
		return res, org, provisioning.Errorf(provisioning.CodeForbidden, "%s is not verified yet: sign in with an email link first", u.Email)
	}
	err := s.svc.InviteDoor().Update(ctx, func(tx provisioning.InviteTxn) error {
		l, err := linkBySecret(ctx, tx, secret)
		if err != nil {
			return err
		}
		// Re-read under the org lock: a link regenerated a moment ago no longer joins anyone.
		if _, err := s.svc.HoldOrgTx(ctx, tx, l.OrgID); err != nil {
			return err
		}
		if l, err = linkBySecret(ctx, tx, secret); err != nil {
			return err
		}
		res, err = s.svc.ProvisionTx(ctx, tx, provisioning.ProvisionRequest{
			OrgID: l.OrgID, Entrance: provisioning.EntranceInviteLink, Actor: provisioning.UserActor(u), Role: l.Role,
			Identity: provisioning.Identity{Email: u.Email, EmailVerified: true, FirstName: u.FirstName, LastName: u.LastName},
			Reason:   "joined with the org's " + string(l.Role) + " invite link",
		})
		if err != nil {
			return err
		}
		org, err = tx.GetOrg(ctx, l.OrgID)
		return err
	})
	return res, org, err
}
