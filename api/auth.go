package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/rollcall/rollcall/provisioning"
)

type actorKey struct{}

// authenticate resolves the bearer credential on every request; nothing is cached, so a revoked
// token fails on its very next use.
func (a *API) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bearer, ok := bearerToken(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="rollcall"`)
			a.writeError(w, r, provisioning.Errorf(provisioning.CodeUnauthorized, "send an API token or the operator key as Authorization: Bearer <token>"))
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
