package api_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"

	"github.com/rollcall/rollcall/api"
	"github.com/rollcall/rollcall/store/postgres"
	"github.com/rollcall/rollcall/store/storetest"
)

// seedMembers bulk-inserts n users and memberships into org with SQL, so the benchmark measures
// reads, not the fill.
func seedMembers(b *testing.B, url, orgID string, n int) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, q := range []string{
		`INSERT INTO users (id, email, first_name, last_name, sort_name, email_verified, created_at, updated_at)
		 SELECT 'u' || i, 'user' || i || '@bench.example', 'First' || i, 'Last' || (i % 997),
		        lower('first' || i || ' last' || (i % 997) || ' user' || i || '@bench.example'), true, now(), now()
		 FROM generate_series(1, $1) AS i`,
		`INSERT INTO memberships (id, org_id, user_id, role, status, source, joined_at, last_active_at, updated_at,
		        sort_name, email)
		 SELECT 'm' || lpad(i::text, 8, '0'), $2, u.id, CASE WHEN i % 10 = 0 THEN 'viewer' ELSE 'member' END,
		        'active', 'scim', now() - (i || ' seconds')::interval, now() - (i % 5000 || ' minutes')::interval, now(),
		        u.sort_name, u.email
		 FROM generate_series(1, $1) AS i JOIN users u ON u.id = 'u' || i`,
		`ANALYZE users`, `ANALYZE memberships`,
	} {
		args := []any{n, orgID}
		if q[0] == 'A' {
			args = nil
		} else if q[12] == 'u' {
			args = []any{n}
		}
		if _, err := conn.Exec(ctx, q, args...); err != nil {
			b.Fatalf("seed: %v", err)
		}
	}
}

// BenchmarkMembers100k fills an org with 100,000 members on Postgres and measures list with
// search and the streamed CSV export (time, bytes and allocations). Reported, not asserted.
func BenchmarkMembers100k(b *testing.B) {
	url := storetest.PostgresURL(b)
	db, err := postgres.Open(context.Background(), url, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(context.Background()); err != nil {
		b.Fatal(err)
	}
	h := storetest.NewHarness(b, db)
	o := h.CreateOrg("bench", -1, "owner@bench.example")
	seedMembers(b, url, o.Org.ID, 100_000)
	key, _, _ := h.Service.EnsureOperatorKey(h.Ctx, "bench-operator-key-0123456789")
	mux := chi.NewRouter()
	mux.Mount("/api/v1", api.New(api.Options{Service: h.Service}))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	get := func(b *testing.B, path string) int64 {
		req, _ := http.NewRequest("GET", srv.URL+"/api/v1/orgs/bench"+path, nil)
		req.Header.Set("Authorization", "Bearer "+key)
		res, err := http.DefaultClient.Do(req)
		if err != nil || res.StatusCode != 200 {
			b.Fatalf("%s: %v %v", path, err, res.Status)
		}
		n, _ := io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return n
	}
	for _, search := range []string{"user4242", "last99", "zzz-no-match"} {
		b.Run("list-search-"+search, func(b *testing.B) {
			for b.Loop() {
				get(b, "/members?limit=50&sort=name&q="+search)
			}
		})
	}
	b.Run("list-first-page-by-joined", func(b *testing.B) {
		for b.Loop() {
			get(b, "/members?limit=50&sort=joined&order=desc")
		}
	})
	b.Run("csv-export-100k", func(b *testing.B) {
		b.ReportAllocs()
		var peak uint64
		for b.Loop() {
			done, finished := make(chan struct{}), make(chan struct{})
			go func() { samplePeak(done, &peak); close(finished) }()
			n := get(b, "/members/export")
			close(done)
			<-finished
			b.ReportMetric(float64(n)/1e6, "MB-csv")
		}
		b.ReportMetric(float64(peak)/1e6, "MB-peak-heap")
	})
}

func samplePeak(done chan struct{}, peak *uint64) {
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
		if ms.HeapInuse > *peak {
			*peak = ms.HeapInuse
		}
	}
}
