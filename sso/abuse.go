package sso

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/rollcall/rollcall/httperr"
	"github.com/rollcall/rollcall/provisioning"
)

// Defaults of the limits on unauthenticated SSO requests (start, ACS, callback), counted in
// the database so every instance agrees. An office behind one address signs in at once at nine
// o'clock, so the per-address limit is generous; the per-connection one bounds a flood spread
// over many addresses.
const (
	DefaultRateLimitPerIP         = 300
	DefaultRateLimitPerConnection = 3000
	rateWindow                    = time.Minute
	// DefaultFailureAuditWindow is the window in which identical failures are audited together.
	DefaultFailureAuditWindow = 10 * time.Minute
)

// limited answers 429 when the client (its IPv4 address, or its IPv6 /64) or the connection the
// request names has made too many SSO requests this minute, with Retry-After saying when the
// minute ends.
func (s *Service) limited(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		conn := chi.URLParam(r, "connection")
		if conn == "" {
			conn = r.URL.Query().Get("connection")
		}
		retry, err := s.overLimit(r.Context(), clientIP(r), conn)
		if err != nil {
			s.logger.ErrorContext(r.Context(), "sso rate limit", "err", err)
		}
		if retry > 0 {
			w.Header().Set("Retry-After", httperr.RetryAfterSeconds(retry))
			s.page(w, provisioning.CodeRateLimited, "Too many sign-in attempts",
				"Too many sign-in attempts came from your network or for this connection. Wait a minute, then start the sign-in again.", "", refOf(r))
			return
		}
		next(w, r)
	}
}

// overLimit counts a request against the client ip and connection and says how long to wait
// when either is over its limit (zero when the request may go on): until the window ends.
func (s *Service) overLimit(ctx context.Context, ip, connection string) (time.Duration, error) {
	over := false
	now := s.svc.Now()
	err := s.svc.SSODoor().Update(ctx, func(tx provisioning.SSOTxn) error {
		n, err := tx.HitRateLimit(ctx, "sso:ip:"+provisioning.ClientKey(ip), rateWindow, now)
		if err != nil {
			return err
		}
		over = n > s.perIP
		if connection == "" || len(connection) > 64 {
			return nil
		}
		n, err = tx.HitRateLimit(ctx, "sso:connection:"+connection, rateWindow, now)
		over = over || n > s.perConnection
		return err
	})
	if err != nil || !over {
		return 0, err
	}
	_, end := provisioning.FixedWindow(now, rateWindow)
	return end.Sub(now), nil
}

// auditedFailure counts a failure of a connection's sign-ins in the failure window and reports
// whether to audit it, and as which occurrence: the first, tenth, hundredth … identical
// failure (same step and message) in the window is audited with its count, so a flood of bogus
// callbacks writes a handful of rows, not one per request.
func (s *Service) auditedFailure(ctx context.Context, tx provisioning.SSOTxn, conn *connection, step, msg string) (int, bool, error) {
	if s.failureWindow < 0 {
		return 1, true, nil
	}
	sum := sha256.Sum256([]byte(step + "\x00" + msg))
	n, err := tx.HitRateLimit(ctx, "sso:failure:"+conn.ID+":"+hex.EncodeToString(sum[:8]), s.failureWindow, s.svc.Now())
	if err != nil {
		return 0, false, err
	}
	for p := 1; p <= n; p *= 10 {
		if p == n {
			return n, true, nil
		}
	}
	return n, false, nil
}

// refOf is the reference of a request shown on its error page, written in the log line and the
// audit row: the request id, or a new random one.
func refOf(r *http.Request) string {
	if id := middleware.GetReqID(r.Context()); id != "" {
		return id
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// clientIP is the client's address (the server puts the real one in RemoteAddr behind trusted
// proxies).
func clientIP(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}
