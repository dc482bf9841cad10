// Package server is Rollcall's HTTP composition root: one chi router with request ids, access
// logs, panic recovery and metrics, the health endpoints, the pages' stylesheet, and the
// mounted surfaces (REST API, SCIM, SSO, sign-in). Run serves it and shuts down gracefully.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"syscall"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/rollcall/rollcall/httperr"
	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/web/page"
)

// Database is what the server needs of the store: readiness and pool statistics.
type Database interface {
	Ready(ctx context.Context) error
	PoolStats() PoolStats
}

// PoolStats describes the database connection pool for metrics.
type PoolStats struct {
	MaxOpen, Open, InUse, Idle int
}

// Mount attaches a handler under a path prefix; the pattern "/" serves only the home page.
type Mount struct {
	Pattern string
	Handler http.Handler
}

// Options configure the server.
type Options struct {
	Logger *slog.Logger
	DB     Database
	Mounts []Mount
	// TrustedProxies are the load balancers whose X-Forwarded-For names the client.
	TrustedProxies []netip.Prefix
	// ShutdownTimeout bounds how long Run waits for in-flight requests after its context ends.
	ShutdownTimeout time.Duration
	// Warnings about the configuration, shown in /readyz's answer (such as a secret key kept in
	// the database it protects).
	Warnings []string
}

// Server is the HTTP server of one Rollcall instance.
type Server struct {
	opts     Options
	router   chi.Router
	registry *prometheus.Registry
}

// New builds the router.
func New(o Options) (*Server, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.ShutdownTimeout <= 0 {
		o.ShutdownTimeout = 15 * time.Second
	}
	s := &Server{opts: o, registry: prometheus.NewRegistry()}
	m, err := newMetrics(s.registry, o.DB)
	if err != nil {
		return nil, err
	}
	r := chi.NewRouter()
	r.Use(clientAddress(o.TrustedProxies), requestID, m.observe, accessLog(o.Logger), recoverer(o.Logger))
	r.Get("/healthz", s.healthz)
	r.Get("/readyz", s.readyz)
	r.Handle("/metrics", m.handler(s.registry))
	// Every page links to the shared stylesheet, whichever surfaces are mounted.
	r.Handle(page.AssetsPrefix+"*", page.Assets())
	for _, mt := range o.Mounts {
		if mt.Pattern == "/" {
			// The home page is exactly "/"; every other unknown path stays a JSON 404.
			r.Method(http.MethodGet, "/", mt.Handler)
			continue
		}
		r.Mount(mt.Pattern, mt.Handler)
	}
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "no such endpoint: "+r.Method+" "+r.URL.Path)
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", "method "+r.Method+" is not allowed here")
	})
	s.router = r
	return s, nil
}

// Handler returns the router, for tests.
func (s *Server) Handler() http.Handler { return s.router }

// Registry is the server's Prometheus registry, for other packages' metrics.
func (s *Server) Registry() *prometheus.Registry { return s.registry }

// Listen opens the listening socket, saying clearly when the address is taken.
func Listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("address %s is already in use", addr)
	}
	return ln, err
}

// The server's timeouts. A slow or stalled client is cut off: the request's headers must
// arrive within ReadHeaderTimeout and its body within ReadTimeout; a response must be written
// within WriteTimeout of the end of the headers, except where a handler moves its own deadline
// (the CSV exports move it with each page, http.ResponseController); an idle keep-alive
// connection is closed after IdleTimeout.
const (
	ReadHeaderTimeout = 10 * time.Second
	ReadTimeout       = 2 * time.Minute
	WriteTimeout      = 2 * time.Minute
	IdleTimeout       = 120 * time.Second
)

// Run serves on ln until ctx ends, then stops accepting, lets in-flight requests finish within
// the shutdown timeout, and returns. Requests still running after the timeout are cut off and
// Run reports it.
func (s *Server) Run(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.router,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		ErrorLog:          slog.NewLogLogger(s.opts.Logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.opts.Logger.Info("shutting down: finishing in-flight requests", "timeout", s.opts.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.opts.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		_ = srv.Close()
		<-errc
		return fmt.Errorf("graceful shutdown: requests still running after %s were cut off: %w", s.opts.ShutdownTimeout, err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	ready := map[string]any{"status": "ready"}
	if len(s.opts.Warnings) > 0 {
		ready["warnings"] = s.opts.Warnings
	}
	if s.opts.DB == nil {
		writeJSON(w, http.StatusOK, ready)
		return
	}
	if err := s.opts.DB.Ready(ctx); err != nil {
		httperr.LogFailure(ctx, s.opts.Logger, "not ready", provisioning.Unavailable(err))
		w.Header().Set("Retry-After", httperr.UnavailableRetryAfter)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "error": readyReason(err)})
		return
	}
	writeJSON(w, http.StatusOK, ready)
}

// readyReason is a short, safe reason: the database's state up to the first colon, never
// connection details.
func readyReason(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return "database did not answer in time"
	}
	msg, _, _ := strings.Cut(err.Error(), ":")
	if strings.HasPrefix(msg, "database ") {
		return msg
	}
	return "database not ready"
}
