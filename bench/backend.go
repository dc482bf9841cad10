package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// runBackend measures one backend: the raw ceilings, then a fresh server on it under every
// workload. It returns the rows measured so far even when a step fails, and the Postgres
// server's version.
func runBackend(ctx context.Context, cfg config, bin, backend, work string) ([]Row, string, error) {
	dir := filepath.Join(work, backend)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, "", err
	}
	r := &run{cfg: cfg, backend: backend}
	dbURL, version := "", ""
	var raw *rawDB
	var err error
	if backend == "postgres" {
		var drop func()
		if dbURL, drop, err = freshDatabase(ctx, cfg.PostgresURL); err != nil {
			return nil, "", err
		}
		defer drop()
		if raw, err = openRawPostgres(ctx, dbURL, slices.Max(cfg.Concurrency)); err != nil {
			return nil, "", err
		}
		version = postgresVersion(ctx, dbURL)
	} else if raw, err = openRawSQLite(dir); err != nil {
		return nil, "", err
	}
	logf("%s: raw ceilings", backend)
	r.insert, r.update, err = ceilings(ctx, raw, cfg, backend)
	raw.close()
	if err != nil {
		return nil, version, err
	}
	for _, conc := range cfg.Concurrency {
		r.add(Row{Workload: "ceiling: raw INSERT (user row)", Concurrency: conc, Stats: r.insert[conc]})
	}
	for _, conc := range cfg.Concurrency {
		r.add(Row{Workload: "ceiling: raw PK UPDATE (64 rows)", Concurrency: conc, Stats: r.update[conc]})
	}
	if r.srv, err = startServer(ctx, bin, backend, dir, dbURL, cfg.DebugAddr); err != nil {
		return r.rows, version, err
	}
	defer r.srv.stop()
	r.c = newClient(r.srv.URL)
	for _, t := range []struct {
		slug string
		into *tenant
	}{{"create", &r.create}, {"big", &r.big}, {"other", &r.other}} {
		if *t.into, err = newTenant(ctx, r.c, t.slug); err != nil {
			return r.rows, version, fmt.Errorf("org %s: %w", t.slug, err)
		}
	}
	steps := []struct {
		name string
		fn   func(context.Context) error
	}{
		{"scim create", func(ctx context.Context) error { r.scimCreates(ctx); return nil }},
		{"introspection", r.introspection},
		{"bulk invitations", func(ctx context.Context) error { r.bulkInvites(ctx); return nil }},
		{"seed", r.seedBig},
		{"large-org reads", func(ctx context.Context) error { r.bigReads(ctx); return nil }},
		{"export", func(ctx context.Context) error { r.export(ctx); return nil }},
		{"group patch", r.groupPatch},
		{"fairness", r.fairness},
		{"sso jit", r.jit},
	}
	for _, s := range steps {
		if !cfg.runs(s.name) {
			continue
		}
		if ctx.Err() != nil {
			return r.rows, version, ctx.Err()
		}
		start := time.Now()
		if err := s.fn(ctx); err != nil {
			return r.rows, version, fmt.Errorf("%s: %w", s.name, err)
		}
		logf("%s: %s done in %v", backend, s.name, time.Since(start).Round(time.Millisecond))
	}
	return r.rows, version, nil
}

// stepNames are the steps of a backend's run, in order (-only picks among them).
var stepNames = []string{"scim create", "introspection", "bulk invitations", "seed", "large-org reads", "export", "group patch", "fairness", "sso jit"}

// bigSteps need the large org seeded.
var bigSteps = []string{"large-org reads", "export", "group patch"}

// runs reports whether the run includes the step: -only lists it, or lists a step that needs it.
func (cfg config) runs(step string) bool {
	if len(cfg.Only) == 0 || slices.Contains(cfg.Only, step) {
		return true
	}
	if step == "seed" {
		for _, b := range bigSteps {
			if slices.Contains(cfg.Only, b) {
				return true
			}
		}
	}
	return false
}
