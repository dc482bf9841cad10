package web

import (
	"fmt"
	"net/http"

	"github.com/rollcall/rollcall/httperr"
	"github.com/rollcall/rollcall/invites"
	"github.com/rollcall/rollcall/provisioning"
)

// inviteView is what invite.html shows: the forms (one address, or many), the quota left, the
// seats, and after a send what happened to each address.
type inviteView struct {
	base
	Roles     []option
	Quota     quotaView
	Seat      seatBar
	Max       int
	Email     string
	Emails    string
	SendEmail bool
	Result    *inviteResult
}

// quotaView is the invitation quota as the page words it.
type quotaView struct {
	Text string
	// Exhausted disables the forms, with Reason saying why and when it ends.
	Exhausted bool
	Reason    string
}

type inviteResult struct {
	Invited []invitedRow
	Refused []invites.Refusal
	// SeatAdvice is shown when an address was refused for want of a seat.
	SeatAdvice bool
}

type invitedRow struct {
	Email, Role, Link, LinkID string
	Emailed, Refreshed        bool
}

// invitePage shows the invitation forms.
func (o *Options) invitePage(w http.ResponseWriter, r *http.Request, v *visit) error {
	view, err := o.inviteView(r, v)
	if err != nil {
		return err
	}
	return o.render(w, r, http.StatusOK, v.frame("Invite people", "/invite"), "invite.html", view)
}

func (o *Options) inviteView(r *http.Request, v *visit) (inviteView, error) {
	q, err := o.Invites.Quota(r.Context(), v.actor, v.org.ID)
	if err != nil {
		return inviteView{}, err
	}
	seats, err := o.Service.SeatUsage(r.Context(), v.actor, v.org.ID)
	if err != nil {
		return inviteView{}, err
	}
	roles := [][2]string{{"member", "Member (seat)"}, {"viewer", "Viewer (no seat)"}}
	if v.role() == provisioning.RoleOwner {
		roles = append(roles, [2]string{"admin", "Admin (seat)"})
	}
	return inviteView{base: v.base(), Roles: options(roles, "member"), Quota: quotaText(q), Seat: newSeatBar(v.org, seats),
		Max: invites.MaxBulk, SendEmail: true}, nil
}

// quotaText words the quota: what is left, and why nothing is.
func quotaText(q invites.QuotaStatus) quotaView {
	switch q.Period {
	case invites.PeriodNone:
		return quotaView{Text: fmt.Sprintf("The %s plan has no limit on invitations.", q.Plan)}
	case invites.PeriodDaily:
		v := quotaView{Text: fmt.Sprintf("%d of %d invitations left today (%s plan; the quota resets at midnight UTC).", q.Remaining, q.Limit, q.Plan)}
		if q.Remaining == 0 {
			v.Exhausted, v.Reason = true, fmt.Sprintf("Today's %d invitations of the %s plan are used up. Invite again after midnight UTC, or use an invite link, which has no limit.", q.Limit, q.Plan)
		}
		return v
	}
	v := quotaView{Text: fmt.Sprintf("%d of %d invitations left in total (%s plan).", q.Remaining, q.Limit, q.Plan)}
	if q.Remaining == 0 {
		v.Exhausted, v.Reason = true, fmt.Sprintf("The %d invitations of the %s plan are used up: upgrade the plan to invite more, or use an invite link.", q.Limit, q.Plan)
	}
	return v
}

// invite sends the form: one address, or many (one per line). Refusals of single addresses are
// listed with their reasons; a refusal of the whole send shows the form again with its reason.
func (o *Options) invite(w http.ResponseWriter, r *http.Request, v *visit) error {
	f := r.PostForm
	send := f.Get("send_email") == "on"
	role := provisioning.Role(f.Get("role"))
	var res invites.BulkResult
	var err error
	if f.Get("mode") == "many" {
		res, err = o.Invites.Bulk(r.Context(), v.actor, v.org.ID, invites.BulkInput{Text: f.Get("emails"), Role: role, SendEmail: &send})
	} else {
		var iss invites.Issued
		iss, res.Quota, err = o.Invites.Invite(r.Context(), v.actor, v.org.ID, invites.InviteInput{Email: f.Get("email"), Role: role, SendEmail: &send})
		res.Invited = []invites.Issued{iss}
	}
	view, verr := o.inviteView(r, v)
	if verr != nil {
		return verr
	}
	view.SendEmail = send
	view.Roles = options(roleOptions(view.Roles), f.Get("role"))
	if err != nil {
		if httperr.StatusOf(err) >= 500 {
			return err
		}
		view.Email, view.Emails = f.Get("email"), f.Get("emails")
		p := v.frame("Invite people", "/invite")
		p.Alert = refusal(err)
		return o.render(w, r, httperr.StatusOf(err), p, "invite.html", view)
	}
	view.Result = resultOf(res, send)
	p := v.frame("Invite people", "/invite")
	p.Notice = fmt.Sprintf("Invited %s.", plural(len(res.Invited), "person", "people"))
	if len(res.Refused) > 0 {
		p.Alert = fmt.Sprintf("%s could not be invited: see why below.", plural(len(res.Refused), "address", "addresses"))
	}
	return o.render(w, r, http.StatusOK, p, "invite.html", view)
}

func roleOptions(opts []option) [][2]string {
	out := make([][2]string, len(opts))
	for i, o := range opts {
		out[i] = [2]string{o.Value, o.Text}
	}
	return out
}

func resultOf(res invites.BulkResult, send bool) *inviteResult {
	out := &inviteResult{Refused: res.Refused}
	for i, iss := range res.Invited {
		row := invitedRow{Email: iss.Invitation.Email, Role: string(iss.Invitation.Role), Emailed: send, Refreshed: iss.Refreshed,
			LinkID: fmt.Sprintf("invite-link-%d", i+1)}
		if !send {
			row.Link = iss.Link
		}
		out.Invited = append(out.Invited, row)
	}
	for _, ref := range res.Refused {
		out.SeatAdvice = out.SeatAdvice || ref.Code == provisioning.CodeSeatLimit
	}
	return out
}
