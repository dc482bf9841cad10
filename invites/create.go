package invites

import (
	"context"
	"strings"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

// InviteInput asks to invite one address.
type InviteInput struct {
	Email string            `json:"email"`
	Role  provisioning.Role `json:"role"`
	// SendEmail defaults to true; false creates the invitation and returns its link to share.
	SendEmail *bool `json:"sendEmail"`
}

// BulkInput asks to invite many addresses with one role: a list, text with one address per line
// (commas and semicolons also separate), or both; at most MaxBulk in all.
type BulkInput struct {
	Emails    []string          `json:"emails"`
	Text      string            `json:"text"`
	Role      provisioning.Role `json:"role"`
	SendEmail *bool             `json:"sendEmail"`
}

// Issued is an invitation and its link. The link is shown only here, once.
type Issued struct {
	Invitation provisioning.Invitation `json:"invitation"`
	Link       string                  `json:"link"`
	// Refreshed is true when a pending invitation for the address was renewed rather than created.
	Refreshed bool `json:"refreshed"`
}

// Refusal says why one address of a bulk invitation was not invited.
type Refusal struct {
	Email   string            `json:"email"`
	Code    provisioning.Code `json:"code"`
	Message string            `json:"message"`
}

// BulkResult lists who was invited, who was refused and why, and the quota left.
type BulkResult struct {
	Invited []Issued    `json:"invited"`
	Refused []Refusal   `json:"refused"`
	Quota   QuotaStatus `json:"quota"`
}

// Invite invites one address; refusals (already a member, no free seat, quota) are errors.
func (s *Service) Invite(ctx context.Context, actor provisioning.Actor, orgID string, in InviteInput) (Issued, QuotaStatus, error) {
	res, err := s.Bulk(ctx, actor, orgID, BulkInput{Emails: []string{in.Email}, Role: in.Role, SendEmail: in.SendEmail})
	if err != nil {
		return Issued{}, res.Quota, err
	}
	if len(res.Refused) > 0 {
		r := res.Refused[0]
		return Issued{}, res.Quota, &provisioning.Error{Code: r.Code, Message: r.Message, Field: fieldOf(r.Code)}
	}
	return res.Invited[0], res.Quota, nil
}

func fieldOf(c provisioning.Code) string {
	if c == provisioning.CodeInvalid {
		return "email"
	}
	return ""
}

// Bulk invites every address it can in one transaction and reports the others with a reason.
// The caller's authority and the role are checked once for all; a failure there invites nobody.
func (s *Service) Bulk(ctx context.Context, actor provisioning.Actor, orgID string, in BulkInput) (BulkResult, error) {
	role, err := inviteRole(in.Role)
	if err != nil {
		return BulkResult{}, err
	}
	emails, refused, err := parseAddresses(in.Emails, in.Text)
	if err != nil {
		return BulkResult{}, err
	}
	sendEmail := in.SendEmail == nil || *in.SendEmail
	var out BulkResult
	err = s.svc.InviteDoor().Update(ctx, func(tx provisioning.InviteTxn) error {
		out = BulkResult{Invited: []Issued{}, Refused: append([]Refusal{}, refused...)}
		org, err := s.svc.HoldOrgTx(ctx, tx, orgID)
		if err != nil {
			return err
		}
		if err := s.svc.MayGrant(ctx, tx, actor, orgID, role); err != nil {
			return err
		}
		inviter := inviterOf(ctx, tx, actor)
		if out.Quota, err = s.quota(ctx, tx, org); err != nil {
			return err
		}
		for _, email := range emails {
			iss, err := s.issue(ctx, tx, org, inviter, issueReq{email: email, role: role, sendEmail: sendEmail, action: "invitation.created"}, &out.Quota)
			switch code := provisioning.ErrorCode(err); code {
			case "":
				out.Invited = append(out.Invited, iss)
			case provisioning.CodeInternal:
				return err
			default:
				out.Refused = append(out.Refused, Refusal{Email: email, Code: code, Message: provisioning.ErrorMessage(err)})
			}
		}
		return nil
	})
	return out, err
}

// inviteRole defaults to member and refuses owner.
func inviteRole(r provisioning.Role) (provisioning.Role, error) {
	if r == "" {
		return provisioning.RoleMember, nil
	}
	role, err := provisioning.ParseRole(string(r))
	if err != nil {
		return "", err
	}
	if role == provisioning.RoleOwner {
		return "", provisioning.Invalidf("role", "invitations cannot make someone owner: invite them as admin, then promote them")
	}
	return role, nil
}

// parseAddresses normalizes and de-duplicates addresses; malformed ones become refusals.
func parseAddresses(list []string, text string) ([]string, []Refusal, error) {
	raw := append([]string{}, list...)
	raw = append(raw, strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == '\r' || r == ',' || r == ';' })...)
	var emails []string
	var refused []Refusal
	seen := map[string]bool{}
	n := 0
	for _, a := range raw {
		a = strings.TrimSpace(a)
		if a == "" || strings.HasPrefix(a, "#") {
			continue
		}
		if n++; n > MaxBulk {
			return nil, nil, provisioning.Invalidf("emails", "at most %d addresses per call: split the list", MaxBulk)
		}
		e, err := provisioning.NormalizeEmail(a)
		if err != nil {
			refused = append(refused, Refusal{Email: a, Code: provisioning.CodeInvalid, Message: provisioning.ErrorMessage(err)})
			continue
		}
		if !seen[e] {
			seen[e] = true
			emails = append(emails, e)
		}
	}
	if n == 0 {
		return nil, nil, provisioning.Invalidf("email", "give at least one email address")
	}
	return emails, refused, nil
}

// inviter is who the invitation email names.
type inviter struct {
	actor     provisioning.Actor
	id, label string
}

func inviterOf(ctx context.Context, tx provisioning.InviteTxn, a provisioning.Actor) inviter {
	if a.UserID != "" {
		if u, err := tx.GetUser(ctx, a.UserID); err == nil {
			return inviter{actor: a, id: a.ID, label: u.DisplayName()}
		}
	}
	if a.IsOperator() {
		return inviter{actor: a, id: "operator", label: "An administrator"}
	}
	return inviter{actor: a, id: a.ID, label: a.Label}
}

func expiry(org provisioning.Org, now time.Time) *time.Time {
	if org.Settings.InviteExpiryHours <= 0 {
		return nil
	}
	t := now.Add(time.Duration(org.Settings.InviteExpiryHours) * time.Hour)
	return &t
}
