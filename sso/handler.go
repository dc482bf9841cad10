package sso

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/rollcall/rollcall/provisioning"
)

// Handler serves the browser side of SSO. Mount it at /sso (MountPath):
//
//	GET  /sso/start?email=|org=|connection=[&redirect_uri=…&state=…]  begin a sign-in
//	GET  /sso/saml/{connection}/metadata                             SP metadata for the IdP
//	POST /sso/saml/{connection}/acs                                  SAML Assertion Consumer Service
//	GET  /sso/oidc/{connection}/callback                             OIDC redirect URI
//
// Start, ACS and callback are rate-limited per client address and per connection.
// The ACS receives a cross-site form POST from the IdP: keep CSRF middleware off these routes.
func (s *Service) Handler() http.Handler {
	r := chi.NewRouter()
	r.Get("/start", s.limited(s.handleStart))
	r.Get("/saml/{connection}/metadata", s.handleMetadata)
	r.Post("/saml/{connection}/acs", s.limited(s.handleACS))
	r.Get("/oidc/{connection}/callback", s.limited(s.handleCallback))
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		s.page(w, provisioning.CodeNotFound, "Not found", "There is no single sign-on page at this address.", "", "")
	})
	return r
}

// handleMetadata serves a SAML connection's SP metadata.
func (s *Service) handleMetadata(w http.ResponseWriter, r *http.Request) {
	conn, err := s.activeConnection(r.Context(), chi.URLParam(r, "connection"), ProtocolSAML)
	if provisioning.IsCode(err, provisioning.CodeForbidden) {
		err = nil
	}
	var md []byte
	if err == nil {
		md, err = s.metadata(r.Context(), conn)
	}
	if err != nil {
		s.page(w, provisioning.ErrorCode(err), "No metadata", provisioning.ErrorMessage(err), "", refOf(r))
		return
	}
	w.Header().Set("Content-Type", "application/samlmetadata+xml")
	_, _ = w.Write(md)
}
