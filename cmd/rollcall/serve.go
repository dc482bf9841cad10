package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os/signal"
	"syscall"
	"time"

	"github.com/rollcall/rollcall/config"
	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/server"
	"github.com/rollcall/rollcall/store"
	"github.com/rollcall/rollcall/store/sqlstore"
)

// serveCommands are the CLI verbs of this file.
func serveCommands() []command {
	return []command{
		{"serve", "[flags]", "run the server (settings: flags or ROLLCALL_* variables; see README)", cmdServe},
		{"migrate", "[flags]", "apply database migrations and exit", cmdMigrate},
	}
}

// loadConfig reads the configuration. When it returns false the command is over: --help printed
// the settings (exit 0), or a bad value printed one line on stderr (exit 2).
func loadConfig(e *env, name string, args []string) (config.Config, int, bool) {
	for _, a := range args {
		if a == "-h" || a == "--help" || a == "-help" {
			fmt.Fprintf(e.stdout, "Usage: rollcall %s [flags]\n\nSettings (flag, environment variable, default):\n%s", name, config.Usage())
			return config.Config{}, exitOK, false
		}
	}
	cfg, err := config.Load(args, e.getenv)
	if err != nil {
		fmt.Fprintf(e.stderr, "rollcall %s: %v\n", name, err)
		return cfg, exitUsage, false
	}
	return cfg, exitOK, true
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func openStore(ctx context.Context, cfg config.Config, logger *slog.Logger) (*sqlstore.DB, error) {
	return store.Open(ctx, store.Options{URL: cfg.DatabaseURL, DataDir: cfg.DataDir, SQLiteSynchronous: cfg.SQLiteSynchronous, Logger: logger,
		DatabaseMaxConns: cfg.DatabaseMaxConns, MigrateURL: cfg.DatabaseMigrateURL})
}

// waitForDatabase pings the database until it answers, retrying with a growing pause (1s
// doubling to 10s) and logging each failed attempt, for at most wait.
func waitForDatabase(ctx context.Context, db *sqlstore.DB, wait time.Duration, logger *slog.Logger) error {
	deadline := time.Now().Add(wait)
	pause := time.Second
	for attempt := 1; ; attempt++ {
		pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := db.Ping(pingCtx)
		cancel()
		if err == nil {
			if attempt > 1 {
				logger.Info("database reachable", "attempts", attempt)
			}
			return nil
		}
		left := time.Until(deadline)
		if left <= 0 {
			return fmt.Errorf("database not reachable (after %d attempts in %s): %w", attempt, wait, err)
		}
		pause = min(pause, left)
		logger.Warn("database not reachable yet; retrying", "attempt", attempt, "retry_in", pause, "err", err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
		pause = min(2*pause, 10*time.Second)
	}
}

func cmdMigrate(ctx context.Context, e *env, args []string) int {
	cfg, code, ok := loadConfig(e, "migrate", args)
	if !ok {
		return code
	}
	logger := newLogger(cfg, e.stderr)
	db, err := openStore(ctx, cfg, logger)
	if err != nil {
		fmt.Fprintf(e.stderr, "rollcall migrate: %v\n", err)
		return exitFailure
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		fmt.Fprintf(e.stderr, "rollcall migrate: %v\n", err)
		return exitFailure
	}
	current, _, _ := db.SchemaVersion(ctx)
	fmt.Fprintf(e.stdout, "database (%s) is at schema version %d\n", db.Dialect(), current)
	return exitOK
}

func cmdServe(ctx context.Context, e *env, args []string) int {
	cfg, code, ok := loadConfig(e, "serve", args)
	if !ok {
		return code
	}
	logger := newLogger(cfg, e.stderr)
	ln, err := server.Listen(cfg.Addr)
	if err != nil {
		fmt.Fprintf(e.stderr, "rollcall serve: invalid --addr (ROLLCALL_ADDR): %v\n", err)
		return exitUsage
	}
	cfg.DefaultPublicURL(ln.Addr())
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	app, err := build(ctx, cfg, logger)
	if err != nil {
		ln.Close()
		fmt.Fprintf(e.stderr, "rollcall serve: %v\n", err)
		return exitFailure
	}
	defer app.close()
	if cfg.DebugAddr != "" {
		if err := serveDebug(ctx, cfg.DebugAddr, logger); err != nil {
			ln.Close()
			fmt.Fprintf(e.stderr, "rollcall serve: invalid --debug-addr (ROLLCALL_DEBUG_ADDR): %v\n", err)
			return exitUsage
		}
	}
	logger.Info("listening", "addr", ln.Addr().String(), "database", app.db.Dialect())
	app.announce(e.stdout, ln.Addr())
	app.start(ctx)
	err = app.server.Run(ctx, ln)
	stop()
	app.wait()
	if err != nil {
		logger.Error("server stopped", "err", err)
		return exitFailure
	}
	logger.Info("stopped")
	return exitOK
}

// app is one wired Rollcall instance.
type app struct {
	cfg         config.Config
	logger      *slog.Logger
	db          *sqlstore.DB
	svc         *provisioning.Service
	server      *server.Server
	operatorKey string
	workers     []func(ctx context.Context)
	done        chan struct{}
	// warnings about the configuration, logged at start and shown by /readyz.
	warnings []string
}

// warnGeneratedSecretKey is the warning of an installation without --secret-key.
const warnGeneratedSecretKey = "no --secret-key (ROLLCALL_SECRET_KEY) is set: the key that seals SSO client secrets, the SAML SP key and queued emails is generated and kept in the database it protects, so a copy of the database opens them; set one for production"

// build opens and migrates the store and wires the core, the entrances and the HTTP surfaces.
func build(ctx context.Context, cfg config.Config, logger *slog.Logger) (*app, error) {
	db, err := openStore(ctx, cfg, logger)
	if err != nil {
		return nil, err
	}
	if err := waitForDatabase(ctx, db, cfg.DatabaseWait, logger); err != nil {
		db.Close()
		return nil, err
	}
	a := &app{cfg: cfg, logger: logger, db: db, done: make(chan struct{})}
	if err := a.wire(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return a, nil
}

func (a *app) wire(ctx context.Context) error {
	if err := a.migrate(ctx); err != nil {
		return err
	}
	var secretKey []byte
	if a.cfg.SecretKey != "" {
		secretKey = provisioning.KeyFromPassphrase(a.cfg.SecretKey)
	}
	a.svc = provisioning.NewService(a.db, provisioning.Options{Logger: a.logger, SecretKey: secretKey,
		NoWebhooks: a.cfg.WebhookURL == ""})
	if !a.svc.SecretKeyConfigured() {
		a.warnings = append(a.warnings, warnGeneratedSecretKey)
		a.logger.Warn(warnGeneratedSecretKey)
	}
	key, generated, err := a.svc.EnsureOperatorKey(ctx, a.cfg.OperatorKey)
	if err != nil {
		return err
	}
	if generated {
		a.operatorKey = key
	}
	mounts, err := a.entrances()
	if err != nil {
		return err
	}
	if err := a.outbox(); err != nil {
		return err
	}
	a.server, err = server.New(server.Options{Logger: a.logger, DB: poolDB{a.db}, Warnings: a.warnings,
		ShutdownTimeout: a.cfg.ShutdownTimeout, TrustedProxies: a.cfg.TrustedProxies, Mounts: mounts})
	return err
}

// migrate applies migrations, or with auto-migrate off checks the schema is current.
func (a *app) migrate(ctx context.Context) error {
	if a.cfg.AutoMigrate {
		return a.db.Migrate(ctx)
	}
	err := a.db.Ready(ctx)
	if err == nil || errors.Is(err, sqlstore.ErrDatabaseNewer) {
		return err
	}
	return fmt.Errorf("%v (auto-migrate is off: run rollcall migrate first)", err)
}

// start runs the background workers until ctx ends.
func (a *app) start(ctx context.Context) {
	go func() {
		defer close(a.done)
		finished := make(chan struct{}, len(a.workers))
		for _, w := range a.workers {
			go func() { w(ctx); finished <- struct{}{} }()
		}
		for range a.workers {
			<-finished
		}
	}()
}

func (a *app) wait()  { <-a.done }
func (a *app) close() { a.db.Close() }

// announce prints where the server listens and, on first start, the operator key once.
func (a *app) announce(w io.Writer, addr net.Addr) {
	url := "http://" + addr.String()
	fmt.Fprintf(w, "Rollcall is listening on %s (database: %s)\n", url, a.db.Dialect())
	if a.operatorKey == "" {
		return
	}
	fmt.Fprintf(w, "\nOperator key (shown once; store it now, Rollcall keeps only its hash):\n  %s\n", a.operatorKey)
	fmt.Fprintf(w, "\nCreate your first org:\n  export ROLLCALL_URL=%s ROLLCALL_TOKEN=%s\n", url, a.operatorKey)
	fmt.Fprintf(w, "  go run ./cmd/rollcall org create --slug acme --name \"Acme Inc\" --owner alice@acme.com --plan pro\n\n")
}

// hasSSO adapts a function to domains.ConnectionChecker.
type hasSSO func(ctx context.Context, orgID string) (bool, error)

// HasSSO implements domains.ConnectionChecker.
func (f hasSSO) HasSSO(ctx context.Context, orgID string) (bool, error) { return f(ctx, orgID) }

// poolDB adapts the store to the server's readiness and pool-statistics needs.
type poolDB struct{ db *sqlstore.DB }

func (p poolDB) Ready(ctx context.Context) error { return p.db.Ready(ctx) }

func (p poolDB) PoolStats() server.PoolStats {
	s := p.db.PoolStats()
	return server.PoolStats{MaxOpen: s.MaxOpen, Open: s.Open, InUse: s.InUse, Idle: s.Idle}
}
