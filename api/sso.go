package api

import (
	"context"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/sso"
)

func (a *API) ssoRoutes(r *Router) {
	r.Handle(Route{Method: "GET", Path: "/orgs/{org}/sso/connections", Summary: "List the org's SAML and OIDC connections with the URLs to give the IdP (owners, admins)", Response: connectionsResponse{}}, a.withOrg(a.listConnections))
	r.Handle(Route{Method: "POST", Path: "/orgs/{org}/sso/connections", Summary: "Create a SAML (IdP metadata URL or XML, or entity ID + SSO URL + certificate) or OIDC (issuer, client id/secret) connection (owners, admins; admin grants: owners)", Body: sso.ConnectionInput{}, Status: http.StatusCreated, Response: connectionResponse{}}, a.withOrg(a.createConnection))
	r.Handle(Route{Method: "GET", Path: "/orgs/{org}/sso/connections/{connection}", Summary: "One connection: settings, SP entity ID, ACS and metadata URLs or OIDC redirect URL (owners, admins)", Response: connectionResponse{}}, a.withOrg(a.getConnection))
	r.Handle(Route{Method: "PATCH", Path: "/orgs/{org}/sso/connections/{connection}", Summary: "Change a connection; absent fields keep their value; an empty clientSecret removes it (owners, admins)", Body: sso.ConnectionInput{}, Response: connectionResponse{}}, a.withOrg(a.updateConnection))
	r.Handle(Route{Method: "DELETE", Path: "/orgs/{org}/sso/connections/{connection}", Summary: "Delete a connection; its members stay (owners, admins)", Status: http.StatusNoContent}, a.withOrg(a.deleteConnection))
	r.Handle(Route{Method: "POST", Path: "/sso/exchange", Summary: "SaaS app: trade a one-time sign-in code for the profile (user, org, role, seat, groups, connection); operator key or an owner/admin token of the code's org", Body: sso.ExchangeInput{}, Response: sso.Profile{}}, a.exchangeCode)
	r.Handle(Route{Method: "GET", Path: "/sso/sp-certificate", Summary: "The installation's SAML service-provider certificate signing requests, and the key rotation in progress (operator)", Response: sso.SPKeyStatus{}}, a.spCertificate)
	r.Handle(Route{Method: "POST", Path: "/sso/sp-certificate/rotate", Summary: "Start a SAML service-provider key rotation: a new certificate is published beside the current one for the grace period, both decrypt (operator)", Response: sso.SPKeyStatus{}}, a.rotateSPKey)
	r.Handle(Route{Method: "POST", Path: "/sso/sp-certificate/activate", Summary: "Sign SAML requests with the rotation's new key now, before the grace period ends (operator)", Response: sso.SPKeyStatus{}}, a.activateSPKey)
}

func (a *API) listConnections(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
	list, err := a.sso.List(ctx, actor, orgID)
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, connectionsResponse{Connections: list})
}

func (a *API) createConnection(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
	var in sso.ConnectionInput
	if err := Decode(r, &in); err != nil {
		return err
	}
	c, err := a.sso.Create(ctx, actor, orgID, in)
	if err != nil {
		return err
	}
	return JSON(w, http.StatusCreated, connectionResponse{Connection: c})
}

func (a *API) getConnection(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
	c, err := a.sso.Get(ctx, actor, orgID, chi.URLParam(r, "connection"))
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, connectionResponse{Connection: c})
}

func (a *API) updateConnection(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
	var in sso.ConnectionInput
	if err := Decode(r, &in); err != nil {
		return err
	}
	c, err := a.sso.Update(ctx, actor, orgID, chi.URLParam(r, "connection"), in)
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, connectionResponse{Connection: c})
}

func (a *API) deleteConnection(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
	if err := a.sso.Delete(ctx, actor, orgID, chi.URLParam(r, "connection")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) exchangeCode(w http.ResponseWriter, r *http.Request) error {
	var in sso.ExchangeInput
	if err := Decode(r, &in); err != nil {
		return err
	}
	p, err := a.sso.Exchange(r.Context(), ActorFrom(r.Context()), in)
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, p)
}

func (a *API) spCertificate(w http.ResponseWriter, r *http.Request) error {
	if !ActorFrom(r.Context()).IsOperator() {
		return provisioning.Errorf(provisioning.CodeForbidden, "only the operator can read the SAML service-provider certificate here; IdPs get it from each connection's metadata")
	}
	st, err := a.sso.SPCertificate(r.Context())
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, st)
}

func (a *API) rotateSPKey(w http.ResponseWriter, r *http.Request) error {
	st, err := a.sso.RotateSPKey(r.Context(), ActorFrom(r.Context()))
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, st)
}

func (a *API) activateSPKey(w http.ResponseWriter, r *http.Request) error {
	st, err := a.sso.ActivateSPKey(r.Context(), ActorFrom(r.Context()))
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, st)
}
