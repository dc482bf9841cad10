package api

import (
	"context"
	"net/http"
	"net/url"

	"github.com/go-chi/chi/v5"

	"github.com/rollcall/rollcall/domains"
	"github.com/rollcall/rollcall/provisioning"
)

func (a *API) domainRoutes(r *Router) {
	r.Handle(Route{Method: "GET", Path: "/realm", Auth: "public", Query: []string{"email"},
		Summary: `Home-realm discovery for a sign-in page: {"sso": true, "org": slug, "startUrl": …} when the email's verified domain belongs to an org with SSO, otherwise only {"sso": false}`, Response: domains.Realm{}}, a.realm)
	r.Handle(Route{Method: "GET", Path: "/orgs/{org}/domains", Summary: "List the org's email domains with state and TXT record (owners, admins)", Response: domainsResponse{}}, a.withOrg(a.listDomains))
	r.Handle(Route{Method: "POST", Path: "/orgs/{org}/domains", Summary: "Claim an email domain; publish the returned TXT record, then verify (owners, admins; admin join role: owners)", Body: domains.AddInput{}, Status: http.StatusCreated, Response: domainResponse{}}, a.withOrg(a.addDomain))
	r.Handle(Route{Method: "GET", Path: "/orgs/{org}/domains/{domain}", Summary: "One domain: state, reason, auto-join settings and TXT record (owners, admins)", Response: domainResponse{}}, a.withOrg(a.getDomain))
	r.Handle(Route{Method: "PATCH", Path: "/orgs/{org}/domains/{domain}", Summary: "Turn auto-join on or off and set its role: member, viewer, or admin (owners only); never owner", Body: domains.UpdateInput{}, Response: domainResponse{}}, a.withOrg(a.updateDomain))
	r.Handle(Route{Method: "DELETE", Path: "/orgs/{org}/domains/{domain}", Summary: "Remove a domain claim; members who joined through it stay (owners, admins)", Status: http.StatusNoContent}, a.withOrg(a.removeDomain))
	r.Handle(Route{Method: "POST", Path: "/orgs/{org}/domains/{domain}/verify", Summary: "Look up the TXT record now; the answer's state and reason say whether it is verified (owners, admins)", Response: domainResponse{}}, a.withOrg(a.verifyDomain))
}

func (a *API) realm(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r, "email")
	email := q.str("email")
	if q.err != nil {
		return q.err
	}
	if email == "" {
		return provisioning.Invalidf("email", "email is required")
	}
	realm, err := a.domains.Discover(r.Context(), email)
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, realm)
}

func (a *API) listDomains(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
	list, err := a.domains.List(ctx, actor, orgID)
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, domainsResponse{Domains: list})
}

func (a *API) addDomain(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
	var in domains.AddInput
	if err := Decode(r, &in); err != nil {
		return err
	}
	d, err := a.domains.Add(ctx, actor, orgID, in)
	if err != nil {
		return err
	}
	return JSON(w, http.StatusCreated, domainResponse{Domain: d})
}

func (a *API) getDomain(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
	d, err := a.domains.Get(ctx, actor, orgID, domainParam(r))
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, domainResponse{Domain: d})
}

func (a *API) updateDomain(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
	var in domains.UpdateInput
	if err := Decode(r, &in); err != nil {
		return err
	}
	d, err := a.domains.Update(ctx, actor, orgID, domainParam(r), in)
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, domainResponse{Domain: d})
}

func (a *API) removeDomain(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
	if err := a.domains.Remove(ctx, actor, orgID, domainParam(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) verifyDomain(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
	d, err := a.domains.Verify(ctx, actor, orgID, domainParam(r))
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, domainResponse{Domain: d})
}

// domainParam is the {domain} path parameter, unescaped so Unicode names work.
func domainParam(r *http.Request) string {
	raw := chi.URLParam(r, "domain")
	if s, err := url.PathUnescape(raw); err == nil {
		return s
	}
	return raw
}
