package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestQuickRunOnSQLite runs the whole harness in quick mode against SQLite, so CI proves that
// it builds the server, seeds, loads every workload and writes its report. It checks that each
// workload ran without errors, never how fast.
func TestQuickRunOnSQLite(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server")
	}
	out := filepath.Join(t.TempDir(), "results.json")
	cfg, err := parseConfig([]string{"-backends", "sqlite", "-out", out, "-duration", "200ms", "-members", "300", "-patch-members", "100"}, func(k string) string {
		if k == "BENCH_QUICK" {
			return "1"
		}
		return ""
	}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var table bytes.Buffer
	if err := benchmark(ctx, cfg, &table); err != nil {
		t.Fatalf("quick run: %v\n%s", err, table.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rep report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	want := []string{"ceiling: raw INSERT", "ceiling: raw PK UPDATE", "scim create", "scim user PATCH", "introspection", "bulk invitations",
		"scim filter userName eq", `scim filter emails[type eq "work"]`, "scim page startIndex", "scim page random startIndex",
		"scim pages in order", "members sort=name",
		"members sort=email", "members sort=joined", "members q= search", "members CSV export", "group PATCH", "fairness",
		"SAML JIT sign-in", "OIDC JIT sign-in"}
	for _, w := range want {
		found := false
		for _, row := range rep.Rows {
			if strings.HasPrefix(row.Workload, w) {
				found = true
				if row.Stats.Errors != 0 || row.Stats.Ops == 0 {
					t.Errorf("%s c=%d: %d ops, %d errors (%s)", row.Workload, row.Concurrency, row.Stats.Ops, row.Stats.Errors, row.Stats.FirstError)
				}
			}
		}
		if !found {
			t.Errorf("no row for %q in the report", w)
		}
	}
	if !strings.Contains(table.String(), "scim create") {
		t.Errorf("the printed table lacks the workloads:\n%s", table.String())
	}
	if _, err := os.Stat(strings.TrimSuffix(out, ".json") + ".md"); err != nil {
		t.Errorf("markdown table: %v", err)
	}
}

// TestParseConfig checks the defaults of a full run and the refusals of bad flags.
func TestParseConfig(t *testing.T) {
	cfg, err := parseConfig(nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(cfg.Backends, ",") != "postgres,sqlite" || joinInts(cfg.Concurrency) != "1,8,32" || cfg.Members != 100_000 || cfg.PatchMembers != 10_000 || cfg.Tenants != 100 {
		t.Errorf("full-run defaults: %+v", cfg)
	}
	for _, args := range [][]string{{"-backends", "mysql"}, {"-concurrency", "1,x"}, {"-concurrency", "0"}, {"-members", "1"}, {"-probe-every", "-1ms"}, {"-only", "scim create,nap"}} {
		if _, err := parseConfig(args, func(string) string { return "" }, io.Discard); err == nil {
			t.Errorf("%v: accepted", args)
		}
	}
	cfg, err = parseConfig([]string{"-only", "scim create, export"}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	for step, want := range map[string]bool{"scim create": true, "export": true, "seed": true, "introspection": false, "group patch": false} {
		if cfg.runs(step) != want {
			t.Errorf("-only scim create,export: runs(%q) = %v", step, !want)
		}
	}
}
