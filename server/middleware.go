package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/rollcall/rollcall/provisioning"
)

var saneRequestID = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)

// requestID honours a sane incoming X-Request-Id, else makes one; it is set on the response and
// stored where chi's middleware.GetReqID finds it.
func requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if !saneRequestID.MatchString(id) {
			b := make([]byte, 12)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
		}
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), middleware.RequestIDKey, id)))
	})
}

// RequestID returns the request id of ctx.
func RequestID(ctx context.Context) string { return middleware.GetReqID(ctx) }

// routePattern is the chi pattern that matched, bounded in cardinality for metrics and logs.
func routePattern(r *http.Request) string {
	if rc := chi.RouteContext(r.Context()); rc != nil {
		if p := rc.RoutePattern(); p != "" {
			return p
		}
	}
	return "unmatched"
}

// accessLog writes one line per request: method, route pattern, path (secrets redacted),
// status, bytes, duration and request id; server errors at error level, 503s at warn.
func accessLog(logger *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
			next.ServeHTTP(ww, r)
			level := slog.LevelInfo
			switch {
			case ww.Status() == http.StatusServiceUnavailable:
				level = slog.LevelWarn // the database away: the failure is logged once per interval
			case ww.Status() >= 500:
				level = slog.LevelError
			}
			logger.LogAttrs(r.Context(), level, "http request",
				slog.String("method", r.Method), slog.String("route", routePattern(r)),
				slog.String("path", provisioning.RedactPath(r.URL.Path)), slog.String("client", clientHost(r)), slog.Int("status", ww.Status()),
				slog.Int("bytes", ww.BytesWritten()), slog.Duration("duration", time.Since(start)),
				slog.String("request_id", RequestID(r.Context())))
		})
	}
}

// recoverer turns a panic into a logged stack and a JSON 500 that reveals nothing; if the handler
// had already started its answer, the connection is left to end as it is.
func recoverer(logger *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				if p := recover(); p != nil {
					if p == http.ErrAbortHandler {
						panic(p)
					}
					logger.Error("panic serving request", "panic", p, "path", provisioning.RedactPath(r.URL.Path),
						"request_id", RequestID(r.Context()), "stack", string(debug.Stack()))
					if ww, ok := w.(middleware.WrapResponseWriter); ok && ww.Status() != 0 {
						return
					}
					writeError(w, http.StatusInternalServerError, "internal", "Internal error.")
				}
			}()
			next.ServeHTTP(w, r)
		})
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}
