package api

import (
	"net/http"
	"strconv"

	"github.com/rollcall/rollcall/httperr"
	"github.com/rollcall/rollcall/provisioning"
)

type introspectBody struct {
	Token string `json:"token"`
}

func (a *API) gatewayRoutes(r *Router) {
	r.Handle(Route{Method: "POST", Path: "/introspect", Summary: "Gateway: member token → member, org, role, seat and the rate-limit decision (operator key)", Body: introspectBody{}, Response: provisioning.Introspection{}}, a.introspect)
}

// introspect answers 200 with active false for unknown or revoked tokens (as RFC 7662 does);
// a call over a limit answers 200 with rateLimit.allowed false and sets Retry-After to when a
// call will be allowed again (none when the usage limit is spent: never).
func (a *API) introspect(w http.ResponseWriter, r *http.Request) error {
	var in introspectBody
	if err := Decode(r, &in); err != nil {
		return err
	}
	out, err := a.svc.Introspect(r.Context(), ActorFrom(r.Context()), in.Token)
	if err != nil {
		return err
	}
	if rl := out.RateLimit; rl != nil {
		w.Header().Set("X-RateLimit-Limit", itoa(rl.Limit))
		w.Header().Set("X-RateLimit-Remaining", itoa(rl.Remaining))
		if !rl.Allowed && !rl.ResetAt.IsZero() {
			w.Header().Set("Retry-After", httperr.RetryAfterSeconds(rl.ResetAt.Sub(a.svc.Now())))
		}
	}
	return JSON(w, http.StatusOK, out)
}

func itoa(n int) string { return strconv.Itoa(n) }
