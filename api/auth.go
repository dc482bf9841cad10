package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/session"
)

type actorKey struct{}

// crossOrigin refuses unsafe cross-origin browser requests (Sec-Fetch-Site, else Origin against
// Host). It guards the requests a session cookie authenticates; together with the cookie's
// SameSite=Lax and JSON-only bodies, no other site can make a signed-in browser change anything.
var crossOrigin = http.NewCrossOriginProtection()

// authenticate resolves the credential on every request; nothing is cached, so a revoked token
// or an ended session fails on its very next use. A bearer token or the operator key comes
// first; without one, the console session cookie makes the signed-in person the actor, acting
// in each org with the role their membership has there.
func (a *API) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bearer, ok := bearerToken(r)
		if !ok {
			a.authenticateSession(w, r, next)
			return
		}
		actor, err := a.svc.Authenticate(r.Context(), bearer)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="rollcall", error="invalid_token"`)
			a.writeError(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), actorKey{}, actor)))
	})
}

func (a *API) authenticateSession(w http.ResponseWriter, r *http.Request, next http.Handler) {
	secret := session.Secret(r)
	if secret == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="rollcall"`)
		a.writeError(w, r, provisioning.Errorf(provisioning.CodeUnauthorized, "send an API token or the operator key as Authorization: Bearer <token>, or sign in"))
		return
	}
	if err := crossOrigin.Check(r); err != nil {
		a.writeError(w, r, provisioning.Errorf(provisioning.CodeForbidden, "cross-origin request refused: a signed-in browser may change things only from Rollcall's own pages"))
		return
	}
	_, u, err := a.svc.SessionUser(r.Context(), secret)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), actorKey{}, provisioning.UserActor(u))))
}

func bearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return "", false
	}
	return strings.TrimSpace(token), true
}

// ActorFrom returns the authenticated actor of a request.
func ActorFrom(ctx context.Context) provisioning.Actor {
	a, _ := ctx.Value(actorKey{}).(provisioning.Actor)
	return a
}
