package web

import (
	"context"
	"fmt"
	"net/http"

	"github.com/rollcall/rollcall/httperr"
	"github.com/rollcall/rollcall/provisioning"
)

// seatAdvice is what to do when no seat is free, added to every seat-limit refusal.
const seatAdvice = " To make room: remove someone, cancel pending invitations, or raise the plan's seat limit."

// refusal is the message a refused action shows, with advice where there is some.
func refusal(err error) string {
	msg := provisioning.ErrorMessage(err)
	if provisioning.IsCode(err, provisioning.CodeSeatLimit) {
		msg += seatAdvice
	}
	return msg
}

// done answers an action's form: back to the members with notice, or with the refusal the core
// gave. Only a failure of Rollcall itself becomes the error page.
func (o *Options) done(w http.ResponseWriter, r *http.Request, v *visit, notice string, err error) error {
	to := v.path("/members")
	if err != nil && httperr.StatusOf(err) >= 500 {
		return err
	}
	if err != nil {
		redirectWithAlert(w, r, to, refusal(err), o.SecureCookies)
		return nil
	}
	redirectWithNotice(w, r, to, notice, o.SecureCookies)
	return nil
}

type memberOp func(ctx context.Context, actor provisioning.Actor, orgID, membershipID string) (provisioning.Member, error)

// memberAction runs op on the member of the path and reports it with the notice format,
// which names the member.
func (o *Options) memberAction(op memberOp, format string) orgHandler {
	return func(w http.ResponseWriter, r *http.Request, v *visit) error {
		m, err := op(r.Context(), v.actor, v.org.ID, r.PathValue("member"))
		return o.done(w, r, v, fmt.Sprintf(format, m.Email), err)
	}
}

func (o *Options) suspend(w http.ResponseWriter, r *http.Request, v *visit) error {
	return o.memberAction(o.Service.Suspend, "Suspended %s: their seat is free.")(w, r, v)
}

func (o *Options) reactivate(w http.ResponseWriter, r *http.Request, v *visit) error {
	return o.memberAction(o.Service.Reactivate, "Reactivated %s.")(w, r, v)
}

func (o *Options) changeRole(w http.ResponseWriter, r *http.Request, v *visit) error {
	role, err := provisioning.ParseRole(r.PostForm.Get("role"))
	if err != nil {
		return o.done(w, r, v, "", err)
	}
	m, err := o.Service.ChangeRole(r.Context(), v.actor, v.org.ID, r.PathValue("member"), role)
	return o.done(w, r, v, fmt.Sprintf("%s is now %s.", m.Email, role), err)
}

// confirmView is the confirmation page of an action that cannot be undone easily, for browsers
// without the script's dialog.
type confirmView struct {
	base
	Action, Button, Question string
	Keeps                    []string
	// Back is where Cancel leads; empty: the members.
	Back string
}

// confirmed reports whether the form was confirmed (the dialog, or the confirmation page).
func confirmed(r *http.Request) bool { return r.PostForm.Get("confirmed") == "yes" }

// remove removes a member once confirmed: the page first says what removal does and keeps.
func (o *Options) remove(w http.ResponseWriter, r *http.Request, v *visit) error {
	id := r.PathValue("member")
	if !confirmed(r) {
		m, err := o.Service.GetMember(r.Context(), v.actor, v.org.ID, id)
		if err != nil {
			return o.done(w, r, v, "", err)
		}
		return o.render(w, r, http.StatusOK, v.frame("Remove "+m.Email+"?", "/members"), "confirm.html", confirmView{base: v.base(),
			Action: v.path("/members/" + id + "/remove"), Button: "Remove " + m.Email,
			Question: "Removing " + m.Email + " from " + v.org.Name + ":",
			Keeps: []string{"frees their seat at once;", "revokes their API tokens and ends their sessions;",
				"keeps their history and the audit log attributed to them;",
				"lets them be invited again later: their data comes back with them;",
				"does not delete their account, which may belong to other organizations."}})
	}
	return o.memberAction(o.Service.Remove, "Removed %s. Their history is kept.")(w, r, v)
}

// transfer makes the member owner and the caller admin, once confirmed.
func (o *Options) transfer(w http.ResponseWriter, r *http.Request, v *visit) error {
	id := r.PathValue("member")
	if !confirmed(r) {
		m, err := o.Service.GetMember(r.Context(), v.actor, v.org.ID, id)
		if err != nil {
			return o.done(w, r, v, "", err)
		}
		return o.render(w, r, http.StatusOK, v.frame("Transfer ownership to "+m.Email+"?", "/members"), "confirm.html", confirmView{base: v.base(),
			Action: v.path("/members/" + id + "/transfer"), Button: "Transfer ownership",
			Question: "Transferring ownership of " + v.org.Name + ":",
			Keeps:    []string{"makes " + m.Email + " an owner;", "makes you an admin, in the same step."}})
	}
	return o.memberAction(o.Service.TransferOwnership, "%s is now an owner, and you are an admin.")(w, r, v)
}

func (o *Options) resend(w http.ResponseWriter, r *http.Request, v *visit) error {
	iss, err := o.Invites.Resend(r.Context(), v.actor, v.org.ID, r.PathValue("invitation"))
	return o.done(w, r, v, "Sent a new invitation link to "+iss.Invitation.Email+"; the old link no longer works.", err)
}

func (o *Options) revoke(w http.ResponseWriter, r *http.Request, v *visit) error {
	inv, err := o.Invites.Revoke(r.Context(), v.actor, v.org.ID, r.PathValue("invitation"))
	return o.done(w, r, v, "Revoked the invitation of "+inv.Email+".", err)
}
