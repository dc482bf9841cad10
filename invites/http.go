package invites

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/session"
)

// Mounts are the path prefixes Handler serves: mount the one handler on each (chi Mount or
// Handle("/prefix/*")). It routes on the full request path, however it is mounted.
var Mounts = []string{"/auth", "/invitations", "/join"}

// crossOrigin refuses unsafe cross-origin browser requests (Sec-Fetch-Site, else Origin against
// Host) on every form here — accepting, declining, joining, signing out — on top of the session
// cookie's SameSite=Lax.
var crossOrigin = http.NewCrossOriginProtection()

// Handler serves the browser side: email sign-in, sign-out, an invitee's invitations (show,
// accept, decline) and joining by invite link. It answers JSON when the request accepts
// application/json, and small HTML pages otherwise.
func (s *Service) Handler() http.Handler {
	r := chi.NewRouter()
	r.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if err := crossOrigin.Check(req); err != nil {
				s.writeError(w, req, provisioning.Errorf(provisioning.CodeForbidden, "this form must be sent from Rollcall's own page: go back to it and try again"))
				return
			}
			req.Body = http.MaxBytesReader(w, req.Body, 64<<10)
			next.ServeHTTP(w, req)
		})
	})
	r.Post("/auth/email", s.adapt(s.requestSignIn))
	r.Get("/auth/email/verify", s.adapt(s.previewSignIn))
	r.Post("/auth/email/verify", s.adapt(s.verifySignIn))
	r.Post("/auth/logout", s.adapt(s.logout))
	r.Get("/invitations", s.adapt(s.signedIn(s.mine)))
	r.Get("/invitations/{ref}", s.adapt(s.showInvitation))
	r.Post("/invitations/{ref}/accept", s.adapt(s.signedIn(s.accept)))
	r.Post("/invitations/{ref}/decline", s.adapt(s.signedIn(s.decline)))
	r.Get("/join/{token}", s.adapt(s.showJoin))
	r.Post("/join/{token}", s.adapt(s.signedIn(s.join)))
	r.NotFound(s.adapt(func(w http.ResponseWriter, r *http.Request) error {
		return provisioning.Errorf(provisioning.CodeNotFound, "no such page: %s", r.URL.Path)
	}))
	r.MethodNotAllowed(s.adapt(func(w http.ResponseWriter, r *http.Request) error {
		return provisioning.Errorf(provisioning.CodeInvalid, "method %s is not allowed here", r.Method)
	}))
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		// Drop an outer chi route context so the routes above match the full path.
		r.ServeHTTP(w, req.WithContext(context.WithValue(req.Context(), chi.RouteCtxKey, (*chi.Context)(nil))))
	})
}

type handler func(w http.ResponseWriter, r *http.Request) error

func (s *Service) adapt(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	}
}

// userHandler is a handler for a signed-in user.
type userHandler func(w http.ResponseWriter, r *http.Request, u provisioning.User) error

func (s *Service) signedIn(h userHandler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		u, err := s.CurrentUser(r.Context(), session.Secret(r))
		if err != nil {
			return err
		}
		return h(w, r, u)
	}
}

// optionalUser returns the signed-in user, or nil.
func (s *Service) optionalUser(r *http.Request) *provisioning.User {
	if u, err := s.CurrentUser(r.Context(), session.Secret(r)); err == nil {
		return &u
	}
	return nil
}

func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json") ||
		strings.HasPrefix(r.Header.Get("Content-Type"), "application/json")
}

// readFields reads a JSON object or a form with string fields only.
func readFields(r *http.Request, names ...string) (map[string]string, error) {
	out := map[string]string{}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		var raw map[string]any
		dec := json.NewDecoder(r.Body)
		if err := dec.Decode(&raw); err != nil && !errors.Is(err, io.EOF) {
			return nil, provisioning.Errorf(provisioning.CodeInvalid, "the body is not a valid JSON object")
		}
		for k, v := range raw {
			str, ok := v.(string)
			if !ok || !contains(names, k) {
				return nil, provisioning.Invalidf(k, "unexpected field %q: send %s as strings", k, strings.Join(names, ", "))
			}
			out[k] = str
		}
		return out, nil
	}
	if err := r.ParseForm(); err != nil {
		return nil, provisioning.Errorf(provisioning.CodeInvalid, "the form could not be read")
	}
	for _, n := range names {
		out[n] = r.PostForm.Get(n)
	}
	return out, nil
}

// crossSite reports a request another site's page made the browser send (login CSRF: signing
// the victim in to the attacker's account). Browsers say so in Sec-Fetch-Site, or in an Origin
// that is not this request's host; clients that send neither are not browsers on a page.
func crossSite(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" {
		return site != "same-origin" && site != "none"
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false
	}
	u, err := url.Parse(origin)
	return err != nil || !strings.EqualFold(u.Host, r.Host)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func clientIP(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

// setSession writes the console session cookie.
func (s *Service) setSession(w http.ResponseWriter, r *http.Request, in SignedIn) {
	session.Set(w, r, in.Secret, s.secureCookies())
}

func (s *Service) clearSession(w http.ResponseWriter, r *http.Request) {
	session.Clear(w, r, s.secureCookies())
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}
