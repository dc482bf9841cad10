package api

import (
	"context"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/rollcall/rollcall/invites"
	"github.com/rollcall/rollcall/provisioning"
)

func (a *API) inviteRoutes(r *Router) {
	r.Handle(Route{Method: "GET", Path: "/orgs/{org}/invitations", Summary: "List invitations, newest first, filtered by state (owners, admins)", Query: []string{"state", "cursor", "limit"}, Response: invitationListResponse{}}, a.withOrg(a.listInvitations))
	r.Handle(Route{Method: "POST", Path: "/orgs/{org}/invitations", Summary: "Invite one address with a role (admin: owners only); sendEmail false returns the link to share; re-inviting refreshes the pending invitation", Body: invites.InviteInput{}, Status: http.StatusCreated, Response: invitedResponse{}}, a.withOrg(a.invite))
	r.Handle(Route{Method: "POST", Path: "/orgs/{org}/invitations/bulk", Summary: "Invite up to 1,000 addresses (list and/or one per line) with one role; refused addresses are listed with the reason, the rest are invited", Body: invites.BulkInput{}, Response: invites.BulkResult{}}, a.withOrg(a.bulkInvite))
	r.Handle(Route{Method: "GET", Path: "/orgs/{org}/invitations/quota", Summary: "Invitation quota of the org's plan: used, limit, remaining and reset time (owners, admins)", Response: quotaResponse{}}, a.withOrg(a.inviteQuota))
	r.Handle(Route{Method: "GET", Path: "/orgs/{org}/invitations/{invitation}", Summary: "One invitation with its state (owners, admins)", Response: invitationResponse{}}, a.withOrg(a.getInvitation))
	r.Handle(Route{Method: "POST", Path: "/orgs/{org}/invitations/{invitation}/resend", Summary: "Email a new link for a pending or expired invitation; the old link stops working at once", Response: resentResponse{}}, a.withOrg(a.resendInvitation))
	r.Handle(Route{Method: "POST", Path: "/orgs/{org}/invitations/{invitation}/revoke", Summary: "Revoke a pending invitation; its link stops working and its seat is released", Response: invitationResponse{}}, a.withOrg(a.revokeInvitation))
	r.Handle(Route{Method: "GET", Path: "/orgs/{org}/invite-links", Summary: "The org's invite links (member, admin): enabled, hint, created (owners, admins)", Response: linksResponse{}}, a.withOrg(a.inviteLinks))
	r.Handle(Route{Method: "GET", Path: "/orgs/{org}/invite-links/{role}", Summary: "One invite link's state; the URL itself is shown only when generated", Response: linkResponse{}}, a.withOrg(a.inviteLink))
	r.Handle(Route{Method: "POST", Path: "/orgs/{org}/invite-links/{role}/regenerate", Summary: "Make a new invite link for the role and return its URL once; the old link stops working at once (admin link: owners only)", Response: linkResponse{}}, a.withOrg(a.regenerateInviteLink))
	r.Handle(Route{Method: "DELETE", Path: "/orgs/{org}/invite-links/{role}", Summary: "Turn the role's invite link off (admin link: owners only)", Status: http.StatusNoContent}, a.withOrg(a.disableInviteLink))
}

func (a *API) listInvitations(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
	q := newQuery(r, "state", "cursor", "limit")
	lq := invites.ListQuery{
		State:  provisioning.InvitationState(q.oneOf("state", "pending", "accepted", "declined", "expired", "revoked")),
		Before: q.str("cursor"),
		Limit:  q.int("limit", 100, 1, 500),
	}
	if q.err != nil {
		return q.err
	}
	list, err := a.invites.List(ctx, actor, orgID, lq)
	if err != nil {
		return err
	}
	out := invitationListResponse{Invitations: list}
	if len(list) == lq.Limit {
		out.NextCursor = list[len(list)-1].ID
	}
	return JSON(w, http.StatusOK, out)
}

func (a *API) invite(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
	var in invites.InviteInput
	if err := Decode(r, &in); err != nil {
		return err
	}
	iss, quota, err := a.invites.Invite(ctx, actor, orgID, in)
	if err != nil {
		return err
	}
	return JSON(w, http.StatusCreated, invitedResponse{Invitation: iss.Invitation, Link: iss.Link, Refreshed: iss.Refreshed, Quota: quota})
}

func (a *API) bulkInvite(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
	var in invites.BulkInput
	if err := Decode(r, &in); err != nil {
		return err
	}
	res, err := a.invites.Bulk(ctx, actor, orgID, in)
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, res)
}

func (a *API) inviteQuota(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
	q, err := a.invites.Quota(ctx, actor, orgID)
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, quotaResponse{Quota: q})
}

func (a *API) getInvitation(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
	inv, err := a.invites.Get(ctx, actor, orgID, chi.URLParam(r, "invitation"))
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, invitationResponse{Invitation: inv})
}

func (a *API) resendInvitation(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
	iss, err := a.invites.Resend(ctx, actor, orgID, chi.URLParam(r, "invitation"))
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, resentResponse{Invitation: iss.Invitation, Link: iss.Link})
}

func (a *API) revokeInvitation(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
	inv, err := a.invites.Revoke(ctx, actor, orgID, chi.URLParam(r, "invitation"))
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, invitationResponse{Invitation: inv})
}

func (a *API) inviteLinks(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
	links, err := a.invites.Links(ctx, actor, orgID)
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, linksResponse{Links: links})
}

func linkRoleParam(r *http.Request) provisioning.Role {
	return provisioning.Role(chi.URLParam(r, "role"))
}

func (a *API) inviteLink(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
	l, err := a.invites.Link(ctx, actor, orgID, linkRoleParam(r))
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, linkResponse{Link: l})
}

func (a *API) regenerateInviteLink(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
	l, err := a.invites.RegenerateLink(ctx, actor, orgID, linkRoleParam(r))
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, linkResponse{Link: l})
}

func (a *API) disableInviteLink(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
	if err := a.invites.DisableLink(ctx, actor, orgID, linkRoleParam(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
