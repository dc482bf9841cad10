package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"
)

// report is the JSON file: where and when it ran, with what settings, and every row.
type report struct {
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	Commit   string    `json:"commit"`
	Machine  machine   `json:"machine"`
	Config   config    `json:"config"`
	Rows     []Row     `json:"rows"`
	// Error is why the run stopped early; the rows measured until then are kept.
	Error string `json:"error,omitempty"`
}

// machine describes where the numbers come from.
type machine struct {
	CPUs     int    `json:"cpus"`
	Model    string `json:"cpuModel"`
	Go       string `json:"go"`
	OS       string `json:"os"`
	Postgres string `json:"postgres,omitempty"`
	// LoadBefore and LoadAfter are /proc/loadavg at the start and the end: on a shared
	// machine other work competes for the same cores.
	LoadBefore string `json:"loadBefore"`
	LoadAfter  string `json:"loadAfter"`
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

func newReport(ctx context.Context, cfg config, root string) *report {
	commit, _ := exec.CommandContext(ctx, "git", "-C", root, "rev-parse", "--short", "HEAD").Output()
	return &report{Started: time.Now().UTC(), Commit: strings.TrimSpace(string(commit)), Config: cfg,
		Machine: machine{CPUs: runtime.NumCPU(), Model: cpuModel(), Go: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH, LoadBefore: loadavg()}}
}

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func postgresVersion(ctx context.Context, url string) string {
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		return ""
	}
	defer c.Close(ctx)
	var v string
	_ = c.QueryRow(ctx, "SHOW server_version").Scan(&v)
	return v
}

// print writes the table: one line per row, ratio to its ceiling where it has one.
func (r *report) print(out io.Writer) {
	fmt.Fprintf(out, "Rollcall %s, %d CPUs (%s), %s, Postgres %s, load average %s → %s\n\n", r.Commit, r.Machine.CPUs,
		r.Machine.Model, r.Machine.Go, r.Machine.Postgres, r.Machine.LoadBefore, r.Machine.LoadAfter)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "backend\tworkload\tc\tops\t/s\tp50 ms\tp95 ms\tp99 ms\tceiling/s\tratio\terrors\t")
	for _, row := range r.Rows {
		ceil, ratio := "", ""
		if row.Ceiling > 0 {
			ceil, ratio = fmt.Sprintf("%.0f", row.Ceiling), fmt.Sprintf("%.2f", row.Ratio)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.1f\t%.2f\t%.2f\t%.2f\t%s\t%s\t%d\t\n", row.Backend, row.Workload, row.Concurrency,
			row.Stats.Ops, row.Stats.PerSecond, row.Stats.P50ms, row.Stats.P95ms, row.Stats.P99ms, ceil, ratio, row.Stats.Errors)
	}
	tw.Flush()
	fmt.Fprintln(out)
	for _, row := range r.Rows {
		if row.Note != "" || row.Stats.FirstError != "" {
			fmt.Fprintf(out, "%s %s c=%d: %s", row.Backend, row.Workload, row.Concurrency, row.Note)
			if row.Stats.FirstError != "" {
				fmt.Fprintf(out, " [first error: %s]", row.Stats.FirstError)
			}
			fmt.Fprintln(out)
		}
	}
}

// markdown writes the table as GitHub markdown, for the README.
func (r *report) markdown(out io.Writer) {
	fmt.Fprintln(out, "| backend | workload | c | /s | p50 ms | p95 ms | p99 ms | ceiling/s | ratio | target |")
	fmt.Fprintln(out, "|---|---|--:|--:|--:|--:|--:|--:|--:|---|")
	for _, row := range r.Rows {
		ceil, ratio := "", ""
		if row.Ceiling > 0 {
			ceil, ratio = fmt.Sprintf("%.0f", row.Ceiling), fmt.Sprintf("%.2f", row.Ratio)
		}
		fmt.Fprintf(out, "| %s | %s | %d | %.1f | %.2f | %.2f | %.2f | %s | %s | %s |\n", row.Backend, strings.ReplaceAll(row.Workload, "|", "\\|"),
			row.Concurrency, row.Stats.PerSecond, row.Stats.P50ms, row.Stats.P95ms, row.Stats.P99ms, ceil, ratio, row.Target)
	}
}

// write stores the report as JSON at path and the markdown table beside it (.md).
func (r *report) write(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return err
	}
	f, err := os.Create(strings.TrimSuffix(path, filepath.Ext(path)) + ".md")
	if err != nil {
		return err
	}
	defer f.Close()
	r.markdown(f)
	return nil
}
