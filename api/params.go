package api

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/rollcall/rollcall/provisioning"
)

// OrgID resolves the {org} path parameter, an id or a slug, to the org's id.
func (a *API) OrgID(r *http.Request) (string, error) {
	org, err := a.svc.ResolveOrg(r.Context(), chi.URLParam(r, "org"))
	if err != nil {
		return "", err
	}
	return org.ID, nil
}

// query reads and validates query parameters, collecting the first error.
type query struct {
	values map[string][]string
	err    error
}

func newQuery(r *http.Request, allowed ...string) *query {
	q := &query{values: r.URL.Query()}
	for name := range q.values {
		known := false
		for _, a := range allowed {
			known = known || a == name
		}
		if !known {
			q.fail(provisioning.Invalidf(name, "unknown query parameter %q", name))
		}
	}
	return q
}

func (q *query) fail(err error) {
	if q.err == nil {
		q.err = err
	}
}

func (q *query) str(name string) string {
	if v := q.values[name]; len(v) > 0 {
		return strings.TrimSpace(v[0])
	}
	return ""
}

func (q *query) oneOf(name string, allowed ...string) string {
	v := q.str(name)
	if v == "" {
		return ""
	}
	for _, a := range allowed {
		if strings.EqualFold(v, a) {
			return a
		}
	}
	q.fail(provisioning.Invalidf(name, "%s must be one of %s", name, strings.Join(allowed, ", ")))
	return ""
}

func (q *query) time(name string) time.Time {
	v := q.str(name)
	if v == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		q.fail(provisioning.Invalidf(name, "%s must be an RFC 3339 time such as 2026-01-02T15:04:05Z", name))
	}
	return t
}

func (q *query) int(name string, def, min, max int) int {
	v := q.str(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		q.fail(provisioning.Invalidf(name, "%s must be a whole number from %d to %d", name, min, max))
		return def
	}
	return n
}

func (q *query) bool(name string) bool {
	switch strings.ToLower(q.str(name)) {
	case "", "false", "0":
		return false
	case "true", "1":
		return true
	}
	q.fail(provisioning.Invalidf(name, "%s must be true or false", name))
	return false
}

// encodeCursor makes an opaque page cursor.
func encodeCursor(c provisioning.Cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (q *query) cursor(name string) *provisioning.Cursor {
	v := q.str(name)
	if v == "" {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(v)
	var c provisioning.Cursor
	if err != nil || json.Unmarshal(b, &c) != nil || c.ID == "" {
		q.fail(provisioning.Invalidf(name, "cursor is not valid: pass the nextCursor of the previous page"))
		return nil
	}
	return &c
}

// withOrg resolves {org} and hands its id and the actor to fn.
func (a *API) withOrg(fn func(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error) Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		orgID, err := a.OrgID(r)
		if err != nil {
			return err
		}
		return fn(r.Context(), w, r, ActorFrom(r.Context()), orgID)
	}
}
