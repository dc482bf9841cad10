package scim

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/elimity-com/scim"
	"github.com/elimity-com/scim/errors"
	"github.com/elimity-com/scim/schema"

	"github.com/rollcall/rollcall/provisioning"
)

// Context keys: the directory actor, the request body as received, a GET list's filter.
type (
	actorKey  struct{}
	bodyKey   struct{}
	filterKey struct{}
)

// stringBooleans makes the library accept "True"/"False" for boolean attributes, as Entra ID
// sends them without its compatibility flag. The switch is process-wide; it is thrown once.
var stringBooleans sync.Once

// NewHandler serves the whole /scim/v2 subtree. Mount it with the prefix stripped, e.g.
// mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", scim.NewHandler(svc))) or, with chi,
// r.Mount("/scim/v2", http.StripPrefix("/scim/v2", scim.NewHandler(svc))). Paths that still
// start with /scim/v2 are accepted too.
//
// The library (github.com/elimity-com/scim) parses and validates every request body, pages
// lists, and renders every resource, list, search and handler error. Around it: the body limit
// (413), the directory token (401), the per-directory rate limit (429 with Retry-After), the
// filters of GET lists (see serve), the bounds of filters (limits.go) and of the documents
// written (bounds.go), a second look at the PATCH bodies it refuses (compat.go),
// /ServiceProviderConfig (config.go; the library's own is never served, its MaxResults is the
// page cap), and the empty optional attributes of /Schemas and /ResourceTypes (discovery).
func NewHandler(s *Service) http.Handler {
	stringBooleans.Do(func() { schema.SetAllowStringValues(true) })
	var opts []scim.ServerOption
	if s.opts.BaseURL != "" {
		opts = append(opts, scim.WithBaseURL(s.opts.BaseURL))
	}
	server, err := scim.NewServer(&scim.ServerArgs{
		ServiceProviderConfig: &scim.ServiceProviderConfig{MaxResults: s.opts.MaxResults},
		ResourceTypes: []scim.ResourceType{
			userType.resourceType("User", "User Account", users{s}),
			groupType.resourceType("Group", "Group", groups{s}),
		},
	}, opts...)
	if err != nil {
		panic(err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.serve(w, r, server)
	})
}

// serve authenticates the request and hands it to the library. A GET of /Users or /Groups
// leaves with its filter moved into the context: the library's filter parser refuses what Entra
// sends (emails[type eq "work"].value eq "…", a PATCH path used as a filter, outside RFC 7644's
// grammar), so GET filters are parsed by parseFilter alone and the library never sees them.
// A POST /.search filter, inside the body, is the library's to parse: RFC 7644 filters only
// (Okta and Entra list with GET); its length and nesting are bounded before (see filterLimits).
func (s *Service) serve(w http.ResponseWriter, r *http.Request, server scim.Server) {
	path := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/scim/v2"), "/v2"), "/")
	if path == "" {
		path = "/"
	}
	r.URL.Path = path
	a, w, r := s.watch(w, r)
	defer s.keep(a)
	authorize := s.authorize
	if checksInTx(r, path) {
		authorize = withBearer
	}
	ctx, ok := authorize(w, r)
	if !ok {
		return
	}
	raw, ok := s.readBody(w, r)
	if !ok {
		return
	}
	r = r.WithContext(context.WithValue(ctx, bodyKey{}, raw))
	w, r = withErrorPass(w, r)
	switch {
	case path == "/ServiceProviderConfig":
		s.serviceProviderConfig(w, r)
	case r.Method == http.MethodGet && (isUnder(path, "/Schemas") || isUnder(path, "/ResourceTypes")):
		discovery(w, r, server)
	case r.Method == http.MethodGet && (path == "/Users" || path == "/Groups"):
		server.ServeHTTP(w, withoutFilter(r))
	case r.Method == http.MethodPost && strings.HasSuffix(path, "/.search"):
		if refusal, refused := s.filterLimits().checkSearch(raw); refused {
			writeError(w, refusal)
			return
		}
		server.ServeHTTP(w, r)
	case r.Method == http.MethodPatch:
		patch(w, r, server, raw)
	default:
		server.ServeHTTP(w, r)
	}
}

// isUnder reports whether path is root or a path below it.
func isUnder(path, root string) bool { return path == root || strings.HasPrefix(path, root+"/") }

// withoutFilter moves the filter parameter from the URL into the context.
func withoutFilter(r *http.Request) *http.Request {
	q := r.URL.Query()
	raw := strings.TrimSpace(q.Get("filter"))
	q.Del("filter")
	u := *r.URL
	u.RawQuery = q.Encode()
	r = r.WithContext(context.WithValue(r.Context(), filterKey{}, raw))
	r.URL = &u
	return r
}

// readBody buffers the body under the size limit (413 past it). It does not parse it.
func (s *Service) readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if r.Body == nil || r.Method == http.MethodGet || r.Method == http.MethodDelete {
		return nil, true
	}
	tooLarge := scimStatus(http.StatusRequestEntityTooLarge, "", "the request body is larger than the limit of this server")
	if r.ContentLength > s.opts.MaxBodyBytes {
		writeError(w, tooLarge)
		return nil, false
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, s.opts.MaxBodyBytes+1))
	if err != nil {
		writeError(w, errors.ScimErrorInvalidSyntax)
		return nil, false
	}
	if int64(len(raw)) > s.opts.MaxBodyBytes {
		writeError(w, tooLarge)
		return nil, false
	}
	r.Body = io.NopCloser(bytes.NewReader(raw))
	return raw, true
}

// authorize checks the token and rate limit of a request outside checksInTx before it goes on
// (authenticated), answering a refusal itself.
func (s *Service) authorize(w http.ResponseWriter, r *http.Request) (context.Context, bool) {
	ctx, ok := withBearer(w, r)
	if !ok {
		return nil, false
	}
	ctx, err := s.authenticated(ctx)
	if err != nil {
		se, _ := s.scimError(ctx, err).(errors.ScimError)
		writeError(w, se)
		return nil, false
	}
	return ctx, true
}

func actorFrom(ctx context.Context) provisioning.Actor {
	a, _ := ctx.Value(actorKey{}).(provisioning.Actor)
	return a
}
