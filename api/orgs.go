package api

import (
	"context"
	"net/http"

	"github.com/rollcall/rollcall/provisioning"
)

func (a *API) coreRoutes(r *Router) {
	r.Handle(Route{Method: "GET", Path: "/me", Summary: "The authenticated actor: operator, or member with org and current role", Response: actorResponse{}}, a.me)
	r.Handle(Route{Method: "GET", Path: "/orgs", Summary: "List orgs (operator)", Response: orgsResponse{}}, a.listOrgs)
	r.Handle(Route{Method: "POST", Path: "/orgs", Summary: "Create an org and its first owner (operator)", Body: provisioning.CreateOrgInput{}, Status: http.StatusCreated, Response: provisioning.OrgWithOwner{}}, a.createOrg)
	r.Handle(Route{Method: "GET", Path: "/orgs/{org}", Summary: "Get an org (any member)", Response: orgResponse{}}, a.withOrg(a.getOrg))
	r.Handle(Route{Method: "PATCH", Path: "/orgs/{org}", Summary: "Rename (admins) or change plan and seat limit (owners, operator)", Body: provisioning.OrgUpdate{}, Response: orgResponse{}}, a.withOrg(a.updateOrg))
	r.Handle(Route{Method: "DELETE", Path: "/orgs/{org}", Summary: "Delete an org (owners, operator)", Status: http.StatusNoContent}, a.withOrg(a.deleteOrg))
	r.Handle(Route{Method: "GET", Path: "/orgs/{org}/settings", Summary: "Provisioning settings (owners, admins)", Response: settingsResponse{}}, a.withOrg(a.getSettings))
	r.Handle(Route{Method: "PATCH", Path: "/orgs/{org}/settings", Summary: "Change the provisioning settings sent; the others keep their values (owners, admins)", Body: provisioning.SettingsChange{}, Response: settingsResponse{}}, a.withOrg(a.changeSettings))
	r.Handle(Route{Method: "PUT", Path: "/orgs/{org}/settings", Summary: "Same as PATCH: settings left out keep their values (owners, admins)", Body: provisioning.SettingsChange{}, Response: settingsResponse{}}, a.withOrg(a.changeSettings))
	r.Handle(Route{Method: "GET", Path: "/orgs/{org}/contact", Summary: "The org contact (every member)", Response: contactResponse{}}, a.withOrg(a.getContact))
	r.Handle(Route{Method: "PUT", Path: "/orgs/{org}/contact", Summary: "Replace the org contact (owners, admins)", Body: provisioning.Contact{}, Response: contactResponse{}}, a.withOrg(a.putContact))
	a.memberRoutes(r)
	a.tokenRoutes(r)
	a.gatewayRoutes(r)
}

func (a *API) me(w http.ResponseWriter, r *http.Request) error {
	return JSON(w, http.StatusOK, actorResponse{Actor: ActorFrom(r.Context())})
}

func (a *API) listOrgs(w http.ResponseWriter, r *http.Request) error {
	orgs, err := a.svc.ListOrgs(r.Context(), ActorFrom(r.Context()))
	if err != nil {
		return err
	}
	if orgs == nil {
		orgs = []provisioning.Org{}
	}
	return JSON(w, http.StatusOK, orgsResponse{Orgs: orgs})
}

func (a *API) createOrg(w http.ResponseWriter, r *http.Request) error {
	var in provisioning.CreateOrgInput
	if err := Decode(r, &in); err != nil {
		return err
	}
	out, err := a.svc.CreateOrg(r.Context(), ActorFrom(r.Context()), in)
	if err != nil {
		return err
	}
	return JSON(w, http.StatusCreated, out)
}

func (a *API) getOrg(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
	org, err := a.svc.GetOrg(ctx, actor, orgID)
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, orgResponse{Org: org})
}

func (a *API) updateOrg(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
	var in provisioning.OrgUpdate
	if err := Decode(r, &in); err != nil {
		return err
	}
	org, err := a.svc.UpdateOrg(ctx, actor, orgID, in)
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, orgResponse{Org: provisioning.ViewOf(org, true)})
}

func (a *API) deleteOrg(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
	if err := a.svc.DeleteOrg(ctx, actor, orgID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) getSettings(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
	settings, err := a.svc.GetSettings(ctx, actor, orgID)
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, settingsResponse{Settings: settings})
}

func (a *API) changeSettings(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
	var in provisioning.SettingsChange
	if err := Decode(r, &in); err != nil {
		return err
	}
	org, err := a.svc.UpdateSettings(ctx, actor, orgID, in)
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, settingsResponse{Settings: org.Settings})
}

func (a *API) getContact(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
	org, err := a.svc.GetOrg(ctx, actor, orgID)
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, contactResponse{Contact: org.Contact})
}

func (a *API) putContact(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
	var in provisioning.Contact
	if err := Decode(r, &in); err != nil {
		return err
	}
	org, err := a.svc.UpdateContact(ctx, actor, orgID, in)
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, contactResponse{Contact: org.Contact})
}
