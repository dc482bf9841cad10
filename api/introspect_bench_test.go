package api_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/rollcall/rollcall/api"
	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/store/postgres"
	"github.com/rollcall/rollcall/store/storetest"
)

// BenchmarkIntrospectPostgres compares, in one run on one Postgres database, POST /introspect
// over 64 member tokens (HTTP in process, and the service call alone) with the ceiling of a
// raw pgx primary-key `UPDATE t SET n = n + 1 WHERE id = $1` over 64 rows, at 8 and 32 clients
// (b.RunParallel). Each reports ops/s and p99-ms; compare ops/s of the rows at the same clients.
// Reported, not asserted. Run with e.g. -benchtime=5s.
func BenchmarkIntrospectPostgres(b *testing.B) {
	ctx := context.Background()
	url := storetest.PostgresURL(b)
	db, err := postgres.Open(ctx, url, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	h := storetest.NewHarness(b, db)
	o := h.CreateOrg("gw", -1, "owner@gw.example")
	key, _, _ := h.Service.EnsureOperatorKey(ctx, "bench-operator-key-0123456789")
	limit := 100_000
	secrets := make([]string, 64)
	var members []provisioning.Membership
	for i := range 16 {
		members = append(members, h.MustJoin(o.Org.ID, fmt.Sprintf("m%02d@gw.example", i), provisioning.EntranceManual, provisioning.RoleMember).Membership)
	}
	for i := range secrets {
		tok, err := h.Service.CreateToken(ctx, h.MemberActor(members[i%16]), o.Org.ID, fmt.Sprintf("t%d", i),
			provisioning.TokenLimits{RateLimitPerMinute: &limit})
		if err != nil {
			b.Fatal(err)
		}
		secrets[i] = tok.Secret
	}
	mux := chi.NewRouter()
	mux.Mount("/api/v1", api.New(api.Options{Service: h.Service}))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

	raw, err := pgxpool.New(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	for _, q := range []string{`CREATE TABLE bench_counter (id INT PRIMARY KEY, n BIGINT NOT NULL)`,
		`INSERT INTO bench_counter SELECT i, 0 FROM generate_series(0, 63) AS i`} {
		if _, err := raw.Exec(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	operator := provisioning.Operator()
	workloads := []struct {
		name string
		op   func(r *rand.Rand) error
	}{
		{"raw-pk-update", func(r *rand.Rand) error {
			_, err := raw.Exec(ctx, `UPDATE bench_counter SET n = n + 1 WHERE id = $1`, r.IntN(64))
			return err
		}},
		{"introspect-service", func(r *rand.Rand) error {
			out, err := h.Service.Introspect(ctx, operator, secrets[r.IntN(64)])
			if err == nil && (!out.Active || !out.RateLimit.Allowed) {
				err = fmt.Errorf("introspection refused: %+v", out)
			}
			return err
		}},
		{"introspect-http", func(r *rand.Rand) error {
			body := `{"token":"` + secrets[r.IntN(64)] + `"}`
			req, _ := http.NewRequest("POST", srv.URL+"/api/v1/introspect", bytes.NewBufferString(body))
			req.Header.Set("Authorization", "Bearer "+key)
			req.Header.Set("Content-Type", "application/json")
			res, err := client.Do(req)
			if err != nil {
				return err
			}
			var buf [4096]byte
			for {
				if _, err := res.Body.Read(buf[:]); err != nil {
					break
				}
			}
			res.Body.Close()
			if res.StatusCode != 200 {
				return fmt.Errorf("introspect: %s", res.Status)
			}
			return nil
		}},
	}
	for _, clients := range []int{8, 32} {
		for _, w := range workloads {
			b.Run(fmt.Sprintf("%s/clients=%d", w.name, clients), func(b *testing.B) {
				parallel(b, clients, w.op)
			})
		}
	}
}

// parallel runs op from clients goroutines for b.N calls in all and reports ops/s and p99-ms.
func parallel(b *testing.B, clients int, op func(r *rand.Rand) error) {
	var mu sync.Mutex
	var lat []time.Duration
	b.SetParallelism(max(1, clients/max(1, testingProcs())))
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		r := rand.New(rand.NewPCG(rand.Uint64(), 1))
		var mine []time.Duration
		for pb.Next() {
			t := time.Now()
			if err := op(r); err != nil {
				b.Error(err)
				return
			}
			mine = append(mine, time.Since(t))
		}
		mu.Lock()
		lat = append(lat, mine...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "ops/s")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// testingProcs is GOMAXPROCS, by which RunParallel multiplies its parallelism.
func testingProcs() int { return runtime.GOMAXPROCS(0) }
