package scim

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/elimity-com/scim"
	"github.com/elimity-com/scim/errors"
	"github.com/elimity-com/scim/optional"
	"github.com/elimity-com/scim/schema"
)

type actorKey struct{}

// NewHandler serves the whole /scim/v2 subtree. Mount it with the prefix stripped, e.g.
// mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", scim.NewHandler(svc))) or, with chi,
// r.Mount("/scim/v2", http.StripPrefix("/scim/v2", scim.NewHandler(svc))). Paths that still
// start with /scim/v2 are accepted too.
//
// In front of the library: the body limit (413), the directory token (401), the per-directory
// rate limit (429 with Retry-After), normalization of "True"/"False" strings, and list endpoints
// (GET /Users, GET /Groups) whose filters are translated to SQL.
func NewHandler(s *Service) http.Handler {
	server, err := scim.NewServer(&scim.ServerArgs{
		ServiceProviderConfig: &scim.ServiceProviderConfig{MaxResults: s.opts.MaxResults, SupportFiltering: true, SupportPatch: true},
		ResourceTypes: []scim.ResourceType{
			{ID: optional.NewString("User"), Name: "User", Endpoint: "/Users", Description: optional.NewString("User Account"),
				Schema: schema.CoreUserSchema(), SchemaExtensions: []scim.SchemaExtension{{Schema: schema.ExtensionEnterpriseUser()}},
				Handler: users{s}},
			{ID: optional.NewString("Group"), Name: "Group", Endpoint: "/Groups", Description: optional.NewString("Group"),
				Schema: schema.CoreGroupSchema(), Handler: groups{s}},
		},
	})
	if err != nil {
		panic(err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.serve(w, r, server)
	})
}

func (s *Service) serve(w http.ResponseWriter, r *http.Request, server scim.Server) {
	if p := strings.TrimPrefix(r.URL.Path, "/scim/v2"); p != r.URL.Path {
		r.URL.Path = p
	}
	r.URL.Path = strings.TrimPrefix(r.URL.Path, "/v2")
	if r.URL.Path == "" {
		r.URL.Path = "/"
	}
	if !s.readBody(w, r) {
		return
	}
	ctx, ok := s.authorize(w, r)
	if !ok {
		return
	}
	r = r.WithContext(ctx)
	switch path := strings.TrimSuffix(r.URL.Path, "/"); {
	case r.Method == http.MethodGet && path == "/ServiceProviderConfig":
		s.serviceProviderConfig(w)
	case r.Method == http.MethodGet && (path == "/Users" || path == "/Groups"):
		s.list(w, r, path)
	case r.Method == http.MethodPatch && emptyPatch(r):
		s.emptyPatch(w, r, server)
	default:
		server.ServeHTTP(w, r)
	}
}

// readBody buffers the body under the size limit (413 past it) and normalizes booleans sent as
// strings, so the library sees plain JSON booleans.
func (s *Service) readBody(w http.ResponseWriter, r *http.Request) bool {
	if r.Body == nil || r.Method == http.MethodGet || r.Method == http.MethodDelete {
		return true
	}
	tooLarge := scimStatus(http.StatusRequestEntityTooLarge, "", "the request body is larger than the limit of this server")
	if r.ContentLength > s.opts.MaxBodyBytes {
		writeError(w, tooLarge)
		return false
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, s.opts.MaxBodyBytes+1))
	if err != nil {
		writeError(w, errors.ScimErrorInvalidSyntax)
		return false
	}
	if int64(len(raw)) > s.opts.MaxBodyBytes {
		writeError(w, tooLarge)
		return false
	}
	r.Body = io.NopCloser(bytes.NewReader(normalizeRequest(raw)))
	return true
}

func (s *Service) authorize(w http.ResponseWriter, r *http.Request) (context.Context, bool) {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="rollcall-scim"`)
		writeError(w, scimStatus(http.StatusUnauthorized, "", "send the directory token as Authorization: Bearer scim_…"))
		return nil, false
	}
	actor, retry, err := s.authenticate(r.Context(), token)
	if err != nil {
		se, _ := s.scimError(r.Context(), err).(errors.ScimError)
		if se.Status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="rollcall-scim", error="invalid_token"`)
		}
		writeError(w, se)
		return nil, false
	}
	if retry > 0 {
		w.Header().Set("Retry-After", retryAfterSeconds(int(retry.Seconds()+0.999)))
		writeError(w, scimStatus(http.StatusTooManyRequests, "", "too many requests for this directory; retry later"))
		return nil, false
	}
	return context.WithValue(r.Context(), actorKey{}, actor), true
}

func emptyPatch(r *http.Request) bool {
	raw, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(raw))
	var body struct {
		Operations *[]json.RawMessage `json:"Operations"`
	}
	return json.Unmarshal(raw, &body) == nil && body.Operations != nil && len(*body.Operations) == 0
}

// emptyPatch answers a PATCH without operations (Okta sends them for groups): 204 when the
// resource exists, nothing written.
func (s *Service) emptyPatch(w http.ResponseWriter, r *http.Request, server scim.Server) {
	get := r.Clone(r.Context())
	get.Method, get.Body = http.MethodGet, http.NoBody
	get.URL.RawQuery = "attributes=id"
	rec := &statusRecorder{header: http.Header{}}
	server.ServeHTTP(rec, get)
	if rec.status != http.StatusOK {
		w.Header().Set("Content-Type", "application/scim+json")
		w.WriteHeader(rec.status)
		_, _ = w.Write(rec.body.Bytes())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type statusRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *statusRecorder) Header() http.Header { return r.header }
func (r *statusRecorder) WriteHeader(s int)   { r.status = s }
func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}
