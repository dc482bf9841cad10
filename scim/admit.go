package scim

import (
	"context"
	stderrors "errors"
	"net/http"
	"strings"
	"time"

	"github.com/rollcall/rollcall/httperr"
	"github.com/rollcall/rollcall/provisioning"
)

// A POST /Users checks its token in the transaction that creates the user, not in a
// transaction of its own before it (authenticate): serve checks only that a bearer token is
// sent, and the create's transaction reads the token and its creator's authority, counts the
// request against the rate limit and writes, all or nothing. The other writes of users and
// groups do the same, and the reads of users and groups do it in their read-only transaction
// (viewing). The token is therefore checked after the library has parsed the request: a
// malformed body or list parameter answers 400 even with a bad token.

// bearerKey carries the request's bearer token; headerKey the answer's headers, so that a
// refusal found inside the transaction sets WWW-Authenticate and Retry-After.
type (
	bearerKey struct{}
	headerKey struct{}
)

// errLease leaves a write's transaction (which has written nothing yet) to take a new rate
// lease in a transaction of its own (take), after which the write runs again.
var errLease = stderrors.New("scim: rate lease used up")

// checksInTx reports whether the request checks its token in the transaction that serves it:
// the writes of one user or group (create, replace, patch, delete), and the reads of users and
// groups (one or a page). serve lets these through with any bearer token, so each handler they
// reach runs in admitted, writing or viewing; a group change in batches checks it first, once
// (authenticated).
func checksInTx(r *http.Request, path string) bool {
	switch r.Method {
	case http.MethodPost:
		return path == "/Users" || path == "/Groups"
	case http.MethodGet:
		return isUnder(path, "/Users") || isUnder(path, "/Groups")
	case http.MethodPut, http.MethodPatch, http.MethodDelete:
		return strings.HasPrefix(path, "/Users/") || strings.HasPrefix(path, "/Groups/")
	}
	return false
}

// withBearer is authorize for a request that checks its token in its write transaction: it
// only requires a bearer token (401 without one) and hands it on in the context.
func withBearer(w http.ResponseWriter, r *http.Request) (context.Context, bool) {
	token, ok := bearerOf(w, r)
	if !ok {
		return nil, false
	}
	ctx := context.WithValue(r.Context(), bearerKey{}, token)
	return context.WithValue(ctx, headerKey{}, w.Header()), true
}

// bearerOf returns the request's bearer token, or answers 401 without one.
func bearerOf(w http.ResponseWriter, r *http.Request) (string, bool) {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="rollcall-scim"`)
		writeError(w, scimStatus(http.StatusUnauthorized, "", "send the directory token as Authorization: Bearer scim_…"))
		return "", false
	}
	return token, true
}

// admitted runs fn in one write transaction with the actor of the request's token, checked in
// that transaction, once the request is within the org's rate limit. Only when this instance's
// lease of the limit is used up does a request take a new one first, in a transaction of its
// own (one request in up to maxLease).
func (s *Service) admitted(ctx context.Context, fn func(tx provisioning.DirectoryTxn, actor provisioning.Actor) error) error {
	return s.admit(ctx, true, fn)
}

// viewing runs fn in one read-only transaction with the request's actor. A request whose
// token serve has not checked (checksInTx) has it checked in that transaction, as admitted
// does; the token's last use, when due, is written after it in a transaction of its own.
func (s *Service) viewing(ctx context.Context, fn func(tx provisioning.DirectoryTxn, actor provisioning.Actor) error) error {
	return s.inTx(ctx, false, fn)
}

// writing runs fn in one write transaction with the request's actor, checked in that
// transaction (admitted) unless the handler checked it before (authenticated).
func (s *Service) writing(ctx context.Context, fn func(tx provisioning.DirectoryTxn, actor provisioning.Actor) error) error {
	return s.inTx(ctx, true, fn)
}

// inTx runs fn in one transaction (a write one when write is set) with the request's actor:
// checked in it (admit) when the context carries the bearer, otherwise the actor checked
// before; a context with neither is refused, so a handler cannot act as nobody.
func (s *Service) inTx(ctx context.Context, write bool, fn func(tx provisioning.DirectoryTxn, actor provisioning.Actor) error) error {
	if _, ok := ctx.Value(bearerKey{}).(string); ok {
		return s.admit(ctx, write, fn)
	}
	actor, ok := ctx.Value(actorKey{}).(provisioning.Actor)
	if !ok {
		return provisioning.Errorf(provisioning.CodeUnauthorized, "the request carries no checked directory token")
	}
	run := s.door().View
	if write {
		run = s.door().Update
	}
	return run(ctx, func(tx provisioning.DirectoryTxn) error { return fn(tx, actor) })
}

// authenticated checks the request's token and rate limit in a transaction of its own and
// returns the context carrying the actor: for requests outside checksInTx (authorize), and for
// a handler that runs several transactions (a group change in batches), so that the request is
// counted once.
func (s *Service) authenticated(ctx context.Context) (context.Context, error) {
	bearer, ok := ctx.Value(bearerKey{}).(string)
	if !ok {
		return ctx, nil
	}
	actor, retry, err := s.authenticate(ctx, bearer)
	if err == nil && retry > 0 {
		err = refusedFor(retry)
	}
	if err != nil {
		refusalHeaders(ctx, err)
		return ctx, err
	}
	ctx = context.WithValue(ctx, bearerKey{}, nil)
	return context.WithValue(ctx, actorKey{}, actor), nil
}

// admit checks the request's token, counts the request and runs fn in one transaction: a write
// transaction when write is set, otherwise a read-only one. A refusal sets its headers.
func (s *Service) admit(ctx context.Context, write bool, fn func(tx provisioning.DirectoryTxn, actor provisioning.Actor) error) error {
	err := s.admitOnce(ctx, write, fn)
	if err != nil {
		refusalHeaders(ctx, err)
	}
	return err
}

func (s *Service) admitOnce(ctx context.Context, write bool, fn func(tx provisioning.DirectoryTxn, actor provisioning.Actor) error) error {
	bearer, _ := ctx.Value(bearerKey{}).(string)
	now := s.core.Now()
	counted := s.opts.RateLimitPerMinute < 0
	run := s.door().View
	if write {
		run = s.door().Update
	}
	for {
		var tok provisioning.DirectoryToken
		err := run(ctx, func(tx provisioning.DirectoryTxn) error {
			actor, checked, err := s.checkToken(ctx, tx, bearer)
			if err != nil {
				return err
			}
			tok = checked
			if !counted {
				retry, held := s.takeHeld(actor.OrgID, now)
				if !held {
					return errLease
				}
				counted = true
				if retry > 0 {
					return refusedFor(retry)
				}
			}
			if write && touchDue(tok, now) {
				if err := tx.TouchDirectoryTokenBefore(ctx, tok.ID, now, now.Add(-touchEvery)); err != nil {
					return err
				}
			}
			return fn(tx, actor)
		})
		if stderrors.Is(err, errLease) {
			retry, err := s.take(ctx, tok.OrgID, now)
			if err != nil {
				return err
			}
			counted = true
			if retry > 0 {
				return refusedFor(retry)
			}
			continue
		}
		if err == nil && !write && touchDue(tok, now) {
			err = s.touchToken(ctx, tok, now)
		}
		return err
	}
}

// refusedFor is the rate limit's refusal, to come back after retry.
func refusedFor(retry time.Duration) error {
	return provisioning.RateLimited(retry, "too many requests for this directory; retry later")
}

// refusalHeaders sets, on an answer whose headers ctx carries, the WWW-Authenticate of a
// refused token and the Retry-After of a rate limit or an unavailable database.
func refusalHeaders(ctx context.Context, err error) {
	h, ok := ctx.Value(headerKey{}).(http.Header)
	if !ok {
		return
	}
	if provisioning.IsCode(err, provisioning.CodeUnauthorized) {
		h.Set("WWW-Authenticate", `Bearer realm="rollcall-scim", error="invalid_token"`)
	}
	httperr.SetRetryAfterFor(h, err)
}
