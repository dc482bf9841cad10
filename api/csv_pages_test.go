package api_test

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"github.com/rollcall/rollcall/api"
	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/store/postgres"
	"github.com/rollcall/rollcall/store/sqlite"
	"github.com/rollcall/rollcall/store/sqlstore"
	"github.com/rollcall/rollcall/store/storetest"
)

// exportBackend opens a fresh store and a raw database/sql handle on the same database, for
// bulk seeding.
type exportBackend struct {
	name string
	open func(tb testing.TB) (*sqlstore.DB, *sql.DB)
}

func exportBackends() []exportBackend {
	return []exportBackend{
		{"sqlite", func(tb testing.TB) (*sqlstore.DB, *sql.DB) {
			path := filepath.Join(tb.TempDir(), "rollcall.db")
			db, err := sqlite.Open(context.Background(), path, nil)
			if err != nil {
				tb.Fatal(err)
			}
			return migrated(tb, db), rawDB(tb, "sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
		}},
		{"postgres", func(tb testing.TB) (*sqlstore.DB, *sql.DB) {
			url := storetest.PostgresURL(tb)
			db, err := postgres.OpenWith(context.Background(), url, postgres.Options{MaxConns: 4})
			if err != nil {
				tb.Fatal(err)
			}
			return migrated(tb, db), rawDB(tb, "pgx", url)
		}},
	}
}

func migrated(tb testing.TB, db *sqlstore.DB) *sqlstore.DB {
	tb.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return db
}

func rawDB(tb testing.TB, driver, dsn string) *sql.DB {
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { raw.Close() })
	return raw
}

// bulkSeed inserts n users and active memberships of orgID with multi-row INSERTs in one
// transaction, shaped as the service writes them (sort names by provisioning.SortName, times
// in the store's format, the membership's copies of the sort name and email), so that paging
// through them follows the real keys.
func bulkSeed(tb testing.TB, raw *sql.DB, dialect, orgID string, n int) {
	tb.Helper()
	ctx := context.Background()
	tx, err := raw.BeginTx(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const batch = 1000
	for start := 0; start < n; start += batch {
		var users, members []string
		var uargs, margs []any
		for i := start; i < min(n, start+batch); i++ {
			email := fmt.Sprintf("user%06d@bench.example", i)
			first, last := fmt.Sprintf("First%d", i), fmt.Sprintf("Last%d", i%997)
			joined := any(base.Add(time.Duration(i) * time.Second))
			if dialect == "sqlite" {
				joined = joined.(time.Time).Format(sqlstore.TimeFormat)
			}
			uid, mid := fmt.Sprintf("ub%06d", i), fmt.Sprintf("mb%06d", i)
			sortName := provisioning.SortName(first, last, email)
			users = append(users, placeholders(dialect, len(uargs), 7))
			uargs = append(uargs, uid, email, first, last, sortName, joined, joined)
			members = append(members, placeholders(dialect, len(margs), 10))
			margs = append(margs, mid, orgID, uid, "member", "active", "scim", joined, joined, sortName, email)
		}
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO users (id, email, first_name, last_name, sort_name, created_at, updated_at) VALUES ` + strings.Join(users, ","), uargs},
			{`INSERT INTO memberships (id, org_id, user_id, role, status, source, joined_at, updated_at, sort_name, email) VALUES ` + strings.Join(members, ","), margs},
		} {
			if _, err := tx.ExecContext(ctx, q.sql, q.args...); err != nil {
				tb.Fatalf("seed: %v", err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	if _, err := raw.ExecContext(ctx, "ANALYZE"); err != nil {
		tb.Fatal(err)
	}
}

func placeholders(dialect string, from, n int) string {
	p := make([]string, n)
	for i := range p {
		p[i] = "?"
		if dialect == "postgres" {
			p[i] = fmt.Sprintf("$%d", from+i+1)
		}
	}
	return "(" + strings.Join(p, ",") + ")"
}

// exportServer serves the API over a real socket whose accepted connections have a small send
// buffer, so that a client that stops reading stalls the server's writes within a few kilobytes.
func exportServer(tb testing.TB, h *storetest.Harness) (*httptest.Server, string) {
	key, _, err := h.Service.EnsureOperatorKey(h.Ctx, "export-operator-key-0123456789")
	if err != nil {
		tb.Fatal(err)
	}
	mux := chi.NewRouter()
	mux.Mount("/api/v1", api.New(api.Options{Service: h.Service}))
	srv := httptest.NewUnstartedServer(mux)
	srv.Listener = smallSendBuffers{srv.Listener}
	srv.Start()
	tb.Cleanup(srv.Close)
	return srv, key
}

type smallSendBuffers struct{ net.Listener }

func (l smallSendBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(16 << 10)
	}
	return c, err
}

// stalledExport starts an export on its own connection with a small receive buffer, reads the
// status line (the export has begun) and then stops reading.
func stalledExport(t *testing.T, srv *httptest.Server, key, path string) net.Conn {
	d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) { _ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	c, err := d.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: rollcall.test\r\nAuthorization: Bearer %s\r\n\r\n", path, key)
	_ = c.SetReadDeadline(time.Now().Add(20 * time.Second))
	line, err := bufio.NewReaderSize(c, 16).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "HTTP/1.1 200") {
		t.Fatalf("stalled export %s did not start: %q, %v", path, line, err)
	}
	return c
}

// TestStalledExportsHoldNoConnection starts more exports than the pool has connections, from
// clients that stop reading, and then asks for the member list: it answers, because an export
// holds a connection only while it reads a page, never while it waits on its client.
func TestStalledExportsHoldNoConnection(t *testing.T) {
	for _, b := range exportBackends() {
		t.Run(b.name, func(t *testing.T) {
			db, raw := b.open(t)
			h := storetest.NewHarness(t, db)
			o := h.CreateOrg("stall", -1, "owner@stall.example")
			bulkSeed(t, raw, b.name, o.Org.ID, 3000)
			srv, key := exportServer(t, h)
			stalled := db.PoolStats().MaxOpen + 2
			for i := range stalled {
				sort := []string{"name", "joined"}[i%2]
				stalledExport(t, srv, key, "/api/v1/orgs/stall/members/export?sort="+sort)
			}
			client := &http.Client{Timeout: 15 * time.Second}
			req, _ := http.NewRequest("GET", srv.URL+"/api/v1/orgs/stall/members?limit=10", nil)
			req.Header.Set("Authorization", "Bearer "+key)
			res, err := client.Do(req)
			if err != nil {
				t.Fatalf("with %d stalled exports the member list got no answer: %v", stalled, err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				t.Fatalf("member list: %s", res.Status)
			}
		})
	}
}

// BenchmarkExportCSV exports an org of 100,000 members on each store, by name (the default)
// and by join date, and reports the CSV size, the heap's and the process's resident memory
// growth over the run, beside time and allocations. Reported, not asserted.
func BenchmarkExportCSV(b *testing.B) {
	for _, be := range exportBackends() {
		b.Run(be.name, func(b *testing.B) {
			db, raw := be.open(b)
			h := storetest.NewHarness(b, db)
			o := h.CreateOrg("bench", -1, "owner@bench.example")
			bulkSeed(b, raw, be.name, o.Org.ID, 100_000)
			srv, key := exportServer(b, h)
			for _, sort := range []string{"name", "joined"} {
				b.Run("100k-by-"+sort, func(b *testing.B) {
					b.ReportAllocs()
					runtime.GC()
					rss0 := residentBytes()
					var peakHeap, peakRSS uint64
					for b.Loop() {
						done, finished := make(chan struct{}), make(chan struct{})
						go func() { samplePeaks(done, &peakHeap, &peakRSS); close(finished) }()
						n := download(b, srv.URL+"/api/v1/orgs/bench/members/export?sort="+sort, key)
						close(done)
						<-finished
						b.ReportMetric(float64(n)/1e6, "MB-csv")
					}
					b.ReportMetric(float64(peakHeap)/1e6, "MB-peak-heap")
					if rss0 > 0 && peakRSS > rss0 {
						b.ReportMetric(float64(peakRSS-rss0)/1e6, "MB-rss-growth")
					}
				})
			}
		})
	}
}

func download(b *testing.B, url, key string) int64 {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		b.Fatalf("export: %v %v", err, res)
	}
	defer res.Body.Close()
	n, err := io.Copy(io.Discard, res.Body)
	if err != nil {
		b.Fatal(err)
	}
	return n
}

func samplePeaks(done chan struct{}, heap, rss *uint64) {
	var ms runtime.MemStats
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return
		case <-tick.C:
		}
		runtime.ReadMemStats(&ms)
		*heap = max(*heap, ms.HeapInuse)
		*rss = max(*rss, residentBytes())
	}
}

// residentBytes is the process's resident set size from /proc (0 where there is none).
func residentBytes() uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseUint(f[1], 10, 64)
	return pages * uint64(os.Getpagesize())
}

// TestExportPagesCoverEveryMemberOnce exports an org of just over one page in two orders
// and checks that every member arrives exactly once, in order across the page boundaries.
func TestExportPagesCoverEveryMemberOnce(t *testing.T) {
	n := api.ExportPageSize + 1
	for _, b := range exportBackends() {
		t.Run(b.name, func(t *testing.T) {
			db, raw := b.open(t)
			h := storetest.NewHarness(t, db)
			o := h.CreateOrg("pages", -1, "owner@pages.example")
			bulkSeed(t, raw, b.name, o.Org.ID, n)
			srv, key := exportServer(t, h)
			for _, c := range []struct {
				query string
				col   int
				desc  bool
			}{{"sort=name", -1, false}, {"sort=joined&order=desc", 9, true}} {
				req, _ := http.NewRequest("GET", srv.URL+"/api/v1/orgs/pages/members/export?"+c.query, nil)
				req.Header.Set("Authorization", "Bearer "+key)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				rows, err := csv.NewReader(res.Body).ReadAll()
				res.Body.Close()
				if err != nil || len(rows) != n+2 {
					t.Fatalf("%s: %d rows, %v; want header + %d", c.query, len(rows), err, n+1)
				}
				seen := map[string]bool{}
				for i, r := range rows[1:] {
					if seen[r[0]] {
						t.Fatalf("%s: %s exported twice", c.query, r[0])
					}
					seen[r[0]] = true
					// The owner sorts apart; the seeded members' emails and join times both grow
					// with their number, so each order is checked on the seeded rows alone. Names
					// follow the database's collation: count and uniqueness check their pages.
					if c.col >= 0 && i > 1 && strings.HasPrefix(r[1], "user") && strings.HasPrefix(rows[i][1], "user") &&
						(rows[i][c.col] > r[c.col]) != c.desc && rows[i][c.col] != r[c.col] {
						t.Fatalf("%s: row %d (%s) out of order after %s", c.query, i+1, r[c.col], rows[i][c.col])
					}
				}
			}
		})
	}
}
