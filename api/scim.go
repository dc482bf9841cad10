package api

import (
	"context"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/scim"
)

type scimTokenBody struct {
	Name string `json:"name"`
}

// SCIMRoutes registers the SCIM directory's management endpoints (tokens and group → role
// rules, owners and admins); pass it in Options.Extensions.
func SCIMRoutes(s *scim.Service) func(*Router) {
	return func(r *Router) {
		a := r.API()
		r.Handle(Route{Method: "GET", Path: "/orgs/{org}/scim/tokens", Summary: "List SCIM directory tokens (owners, admins)", Response: directoryTokensResponse{}}, a.withOrg(a.listSCIMTokens(s)))
		r.Handle(Route{Method: "POST", Path: "/orgs/{org}/scim/tokens", Summary: "Create a SCIM directory token (scim_…), shown once", Body: scimTokenBody{}, Status: http.StatusCreated, Response: directoryTokenResponse{}}, a.withOrg(a.createSCIMToken(s)))
		r.Handle(Route{Method: "DELETE", Path: "/orgs/{org}/scim/tokens/{token}", Summary: "Revoke a SCIM directory token at once", Status: http.StatusNoContent}, a.withOrg(a.revokeSCIMToken(s)))
		r.Handle(Route{Method: "GET", Path: "/orgs/{org}/scim/mappings", Summary: "List SCIM group → role rules (owners, admins)", Response: mappingsResponse{}}, a.withOrg(a.listSCIMMappings(s)))
		r.Handle(Route{Method: "POST", Path: "/orgs/{org}/scim/mappings", Summary: "Map a directory group to a role (admin: owners only)", Body: scim.MappingInput{}, Status: http.StatusCreated, Response: mappingResponse{}}, a.withOrg(a.createSCIMMapping(s)))
		r.Handle(Route{Method: "DELETE", Path: "/orgs/{org}/scim/mappings/{mapping}", Summary: "Delete a group → role rule", Status: http.StatusNoContent}, a.withOrg(a.deleteSCIMMapping(s)))
	}
}

type orgHandler = func(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error

func (a *API) listSCIMTokens(s *scim.Service) orgHandler {
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
		toks, err := s.ListTokens(ctx, actor, orgID)
		if err != nil {
			return err
		}
		if toks == nil {
			toks = []provisioning.DirectoryToken{}
		}
		return JSON(w, http.StatusOK, directoryTokensResponse{Tokens: toks})
	}
}

func (a *API) createSCIMToken(s *scim.Service) orgHandler {
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
		var in scimTokenBody
		if err := Decode(r, &in); err != nil {
			return err
		}
		tok, err := s.CreateToken(ctx, actor, orgID, in.Name)
		if err != nil {
			return err
		}
		return JSON(w, http.StatusCreated, directoryTokenResponse{Token: tok})
	}
}

func (a *API) revokeSCIMToken(s *scim.Service) orgHandler {
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
		if err := s.RevokeToken(ctx, actor, orgID, chi.URLParam(r, "token")); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

func (a *API) listSCIMMappings(s *scim.Service) orgHandler {
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
		list, err := s.ListMappings(ctx, actor, orgID)
		if err != nil {
			return err
		}
		if list == nil {
			list = []provisioning.GroupRoleMapping{}
		}
		return JSON(w, http.StatusOK, mappingsResponse{Mappings: list})
	}
}

func (a *API) createSCIMMapping(s *scim.Service) orgHandler {
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
		var in scim.MappingInput
		if err := Decode(r, &in); err != nil {
			return err
		}
		m, err := s.CreateMapping(ctx, actor, orgID, in)
		if err != nil {
			return err
		}
		return JSON(w, http.StatusCreated, mappingResponse{Mapping: m})
	}
}

func (a *API) deleteSCIMMapping(s *scim.Service) orgHandler {
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
		if err := s.DeleteMapping(ctx, actor, orgID, chi.URLParam(r, "mapping")); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}
