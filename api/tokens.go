package api

import (
	"context"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/rollcall/rollcall/provisioning"
)

type tokenBody struct {
	Name string `json:"name"`
	provisioning.TokenLimits
}

func (a *API) tokenRoutes(r *Router) {
	r.Handle(Route{Method: "GET", Path: "/orgs/{org}/tokens", Summary: "Your API tokens; all=true lists the org's (owners; admins all but owners')", Query: []string{"all"}, Response: tokensResponse{}}, a.withOrg(a.listTokens))
	r.Handle(Route{Method: "POST", Path: "/orgs/{org}/tokens", Summary: "Create a personal API token (mwt_…), shown once", Body: tokenBody{}, Status: http.StatusCreated, Response: newTokenResponse{}}, a.withOrg(a.createToken))
	r.Handle(Route{Method: "DELETE", Path: "/orgs/{org}/tokens/{token}", Summary: "Revoke a token (yours, or as the role table allows)", Status: http.StatusNoContent}, a.withOrg(a.revokeToken))
}

func (a *API) listTokens(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
	q := newQuery(r, "all")
	all := q.bool("all")
	if q.err != nil {
		return q.err
	}
	toks, err := a.svc.ListTokens(ctx, actor, orgID, all)
	if err != nil {
		return err
	}
	if toks == nil {
		toks = []provisioning.APIToken{}
	}
	return JSON(w, http.StatusOK, tokensResponse{Tokens: toks})
}

func (a *API) createToken(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
	var in tokenBody
	if err := Decode(r, &in); err != nil {
		return err
	}
	tok, err := a.svc.CreateToken(ctx, actor, orgID, in.Name, in.TokenLimits)
	if err != nil {
		return err
	}
	return JSON(w, http.StatusCreated, newTokenResponse{Token: tok})
}

func (a *API) revokeToken(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
	if err := a.svc.RevokeToken(ctx, actor, orgID, chi.URLParam(r, "token")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
