// Package api is Rollcall's REST JSON API under /api/v1. Handlers are thin: they parse the
// request, call the provisioning core (or an entrance service) with the authenticated actor, and
// render the result; errors are rendered in one place (errors.go). Every route is registered
// with its OpenAPI description, served at /api/v1/openapi.json.
package api

import (
	"log/slog"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/rollcall/rollcall/domains"
	"github.com/rollcall/rollcall/invites"
	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/sso"
)

// Options wire the API to the core.
type Options struct {
	Service *provisioning.Service
	Logger  *slog.Logger
	// Domains serves the org domain endpoints and home-realm discovery when set.
	Domains *domains.Service
	// SSO serves the org SSO connection endpoints and the app's code exchange when set.
	SSO *sso.Service
	// Invites serves invitations, invite links and the invitation quota when set.
	Invites *invites.Service
	// Extensions register more routes (entrances such as invitations, domains, SCIM tokens).
	Extensions []func(*Router)
}

// API holds what every handler needs.
type API struct {
	svc     *provisioning.Service
	logger  *slog.Logger
	domains *domains.Service
	sso     *sso.Service
	invites *invites.Service
}

// New builds the /api/v1 handler.
func New(o Options) http.Handler {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	a := &API{svc: o.Service, logger: o.Logger, domains: o.Domains, sso: o.SSO, invites: o.Invites}
	mux := chi.NewRouter()
	mux.Use(limitBody(1 << 20))
	r := &Router{mux: mux, api: a, doc: newDocument()}
	a.coreRoutes(r)
	a.webhookRoutes(r)
	if o.Domains != nil {
		a.domainRoutes(r)
	}
	if o.SSO != nil {
		a.ssoRoutes(r)
	}
	if o.Invites != nil {
		a.inviteRoutes(r)
	}
	for _, ext := range o.Extensions {
		ext(r)
	}
	mux.Get("/openapi.json", r.serveDocument)
	mux.NotFound(func(w http.ResponseWriter, req *http.Request) {
		a.writeError(w, req, provisioning.Errorf(provisioning.CodeNotFound, "no such endpoint: %s %s", req.Method, req.URL.Path))
	})
	mux.MethodNotAllowed(func(w http.ResponseWriter, req *http.Request) {
		a.writeError(w, req, &provisioning.Error{Code: codeMethodNotAllowed, Message: "method " + req.Method + " is not allowed here"})
	})
	return mux
}

// Handler is an API handler that returns its error for one adapter to render.
type Handler func(w http.ResponseWriter, r *http.Request) error

// Router registers routes together with their OpenAPI operations.
type Router struct {
	mux chi.Router
	api *API
	doc *document
}

// Route describes one endpoint for the OpenAPI document.
type Route struct {
	Method  string
	Path    string
	Summary string
	// Auth: "public" for no credentials, otherwise a bearer token is required.
	Auth string
	// Body is a value of the request body's type, for the document; optional.
	Body any
	// Status is the success status: 200 when zero; 204 answers carry no content.
	Status int
	// Response is a value of the success body's type, rendered as its JSON schema; every
	// route answering JSON with a body declares it (the CSV export's body is text).
	Response any
	// Query lists query parameters.
	Query []string
	// Produces overrides application/json (for CSV).
	Produces string
}

// Handle registers h for rt, authenticated unless rt.Auth is "public".
func (r *Router) Handle(rt Route, h Handler) {
	r.doc.add(rt)
	var handler http.Handler = r.api.adapt(h)
	if rt.Auth != "public" {
		handler = r.api.authenticate(handler)
	}
	r.mux.Method(rt.Method, rt.Path, handler)
}

// API returns the shared helpers for extension handlers.
func (r *Router) API() *API { return r.api }

func (a *API) adapt(h Handler) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		if err := h(w, req); err != nil {
			a.writeError(w, req, err)
		}
	}
}

// Service returns the provisioning core.
func (a *API) Service() *provisioning.Service { return a.svc }
