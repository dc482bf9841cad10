// Command bench is Rollcall's load generator: it builds cmd/rollcall, starts it as a real
// process on Postgres (a fresh database) and on SQLite, measures the raw database ceilings in
// the same run and loads the servers over keep-alive HTTP, then prints a table and writes a
// JSON file. `make bench` runs it; BENCH_QUICK=1 makes a short smoke run.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"time"
)

// config is what one benchmark run does.
type config struct {
	Backends       []string      `json:"backends"`
	Concurrency    []int         `json:"concurrency"`
	Duration       time.Duration `json:"duration"`
	Members        int           `json:"members"`
	PatchMembers   int           `json:"patchMembers"`
	Invites        int           `json:"invites"`
	Repeats        int           `json:"repeats"`
	Tenants        int           `json:"tenants"`
	TenantRate     float64       `json:"tenantRate"`
	TenantDuration time.Duration `json:"tenantDuration"`
	ProbeIdle      time.Duration `json:"probeIdle"`
	ProbeEvery     time.Duration `json:"probeEvery"`
	SignIns        int           `json:"signIns"`
	PostgresURL    string        `json:"-"`
	Out            string        `json:"-"`
	Bin            string        `json:"-"`
	Quick          bool          `json:"quick"`
	// Only names the steps to run (as the log names them); empty: all.
	Only []string `json:"only,omitempty"`
	// DebugAddr is passed to the servers as --debug-addr, to profile them during a run.
	DebugAddr string `json:"-"`
}

var logger = log.New(os.Stderr, "bench: ", log.Ltime)

func logf(format string, args ...any) { logger.Printf(format, args...) }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cfg, err := parseConfig(os.Args[1:], os.Getenv, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	if err := benchmark(ctx, cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// parseConfig reads the flags (their usage goes to usage); BENCH_QUICK=1 (or -quick) changes
// the defaults to a smoke run.
func parseConfig(args []string, getenv func(string) string, usage io.Writer) (config, error) {
	quick := getenv("BENCH_QUICK") == "1"
	for _, a := range args {
		if a == "-quick" || a == "--quick" {
			quick = true
		}
	}
	d := config{Backends: []string{"postgres", "sqlite"}, Concurrency: []int{1, 8, 32}, Duration: 3 * time.Second,
		Members: 100_000, PatchMembers: 10_000, Invites: 1000, Repeats: 3, Tenants: 100, TenantRate: 25,
		TenantDuration: 10 * time.Second, ProbeIdle: 2 * time.Second, ProbeEvery: 10 * time.Millisecond, SignIns: 100}
	if quick {
		d = config{Backends: []string{"sqlite"}, Concurrency: []int{1, 4}, Duration: 300 * time.Millisecond,
			Members: 2000, PatchMembers: 500, Invites: 50, Repeats: 1, Tenants: 5, TenantRate: 10,
			TenantDuration: time.Second, ProbeIdle: 200 * time.Millisecond, ProbeEvery: 10 * time.Millisecond, SignIns: 3}
	}
	pg := getenv("ROLLCALL_BENCH_POSTGRES_URL")
	if pg == "" {
		pg = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(usage)
	backends := fs.String("backends", strings.Join(d.Backends, ","), "comma-separated: postgres, sqlite")
	conc := fs.String("concurrency", joinInts(d.Concurrency), "comma-separated client counts")
	cfg := config{Quick: quick}
	fs.BoolVar(&cfg.Quick, "quick", quick, "smoke run (as BENCH_QUICK=1)")
	fs.DurationVar(&cfg.Duration, "duration", d.Duration, "length of each measured run")
	fs.IntVar(&cfg.Members, "members", d.Members, "members of the large org")
	fs.IntVar(&cfg.PatchMembers, "patch-members", d.PatchMembers, "members added by the large group PATCH")
	fs.IntVar(&cfg.Invites, "invites", d.Invites, "addresses per bulk invitation")
	fs.IntVar(&cfg.Repeats, "repeats", d.Repeats, "repetitions of the one-shot workloads (export, bulk invitations)")
	fs.IntVar(&cfg.Tenants, "tenants", d.Tenants, "tenants of the fairness run")
	fs.Float64Var(&cfg.TenantRate, "tenant-rate", d.TenantRate, "requests per second each tenant sends")
	fs.DurationVar(&cfg.TenantDuration, "tenant-duration", d.TenantDuration, "length of the fairness run")
	fs.DurationVar(&cfg.ProbeIdle, "probe-idle", d.ProbeIdle, "how long the probes run before a large PATCH")
	fs.DurationVar(&cfg.ProbeEvery, "probe-every", d.ProbeEvery, "how often each probe starts a request during a large PATCH (0: back to back, which on a small machine measures CPU saturation instead)")
	fs.IntVar(&cfg.SignIns, "sign-ins", d.SignIns, "new people signed in through each of SAML and OIDC")
	fs.StringVar(&cfg.PostgresURL, "postgres", pg, "Postgres server to create the fresh database on (ROLLCALL_BENCH_POSTGRES_URL)")
	fs.StringVar(&cfg.Out, "out", "bench/results.json", "JSON file to write")
	only := fs.String("only", "", "comma-separated steps to run, e.g. \"scim create,introspection\" (seed runs when a step needs the large org); empty: all")
	fs.StringVar(&cfg.DebugAddr, "debug-addr", "", "serve the servers' pprof profiles here (host:port), e.g. to take a CPU profile during a step")
	fs.StringVar(&cfg.Bin, "bin", "", "rollcall binary to use instead of building cmd/rollcall")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if *only != "" {
		for _, s := range strings.Split(*only, ",") {
			s = strings.TrimSpace(s)
			if !slices.Contains(stepNames, s) {
				return cfg, fmt.Errorf("-only: unknown step %q (steps: %s)", s, strings.Join(stepNames, ", "))
			}
			cfg.Only = append(cfg.Only, s)
		}
	}
	cfg.Backends = strings.Split(*backends, ",")
	for _, b := range cfg.Backends {
		if b != "postgres" && b != "sqlite" {
			return cfg, fmt.Errorf("-backends: unknown backend %q", b)
		}
	}
	cfg.Concurrency = nil
	for _, s := range strings.Split(*conc, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return cfg, fmt.Errorf("-concurrency: %q is not a positive number", s)
		}
		cfg.Concurrency = append(cfg.Concurrency, n)
	}
	if cfg.Members < 2 || cfg.PatchMembers < 1 || cfg.Invites < 1 || cfg.Repeats < 1 || cfg.Tenants < 1 || cfg.TenantRate <= 0 || cfg.SignIns < 1 || cfg.ProbeEvery < 0 {
		return cfg, errors.New("-members, -patch-members, -invites, -repeats, -tenants, -tenant-rate and -sign-ins must be positive, -probe-every not negative")
	}
	return cfg, nil
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}

// benchmark builds the server, runs every backend and writes the report.
func benchmark(ctx context.Context, cfg config, out io.Writer) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "rollcall-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	bin := cfg.Bin
	if bin == "" {
		logf("building cmd/rollcall")
		if bin, err = build(ctx, root, work); err != nil {
			return err
		}
	}
	rep := newReport(ctx, cfg, root)
	var failed error
	for _, b := range cfg.Backends {
		rows, info, err := runBackend(ctx, cfg, bin, b, work)
		rep.Rows = append(rep.Rows, rows...)
		if info != "" {
			rep.Machine.Postgres = info
		}
		if err != nil {
			failed = fmt.Errorf("%s: %w", b, err)
			rep.Error = failed.Error()
			break
		}
	}
	rep.Finished = time.Now().UTC()
	rep.Machine.LoadAfter = loadavg()
	rep.print(out)
	return errors.Join(failed, rep.write(cfg.Out))
}
