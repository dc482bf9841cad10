package scim_test

import (
	"fmt"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rollcall/rollcall/scim"
	"github.com/rollcall/rollcall/store/storetest"
)

// BenchmarkSCIMPostgres creates 10,000 users through SCIM (16 concurrent clients), lists them
// with a filter, and adds then removes 10,000 members in one group PATCH each, on Postgres.
// The directory's rate limit is counted as in production (with a limit never reached).
// Reported, not asserted; skipped when Postgres is unreachable. Run with -benchtime=1x.
func BenchmarkSCIMPostgres(b *testing.B) {
	const users, clients = 10_000, 16
	for range b.N {
		e := newBenchEnv(b)
		ids := make([]string, users)
		var next atomic.Int64
		var wg sync.WaitGroup
		start := time.Now()
		for range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1)) - 1
					if i >= users {
						return
					}
					r := e.do("POST", "/Users", userBody(fmt.Sprintf("bench%05d@acme.com", i)))
					if r.Status != 201 {
						b.Errorf("create %d: %d %s", i, r.Status, r.Raw)
						return
					}
					ids[i] = r.str("id")
				}
			}()
		}
		wg.Wait()
		created := time.Since(start)
		b.ReportMetric(float64(users)/created.Seconds(), "users_created/s")

		start = time.Now()
		const lists = 200
		for i := range lists {
			f := url.QueryEscape(fmt.Sprintf(`userName eq "bench%05d@acme.com"`, i*37))
			if r := e.do("GET", "/Users?filter="+f, ""); r.get("totalResults") != float64(1) {
				b.Fatalf("filter: %s", r.Raw)
			}
		}
		b.ReportMetric(float64(time.Since(start).Microseconds())/lists/1000, "ms/filtered_list")
		start = time.Now()
		if r := e.do("GET", "/Users?filter="+url.QueryEscape(`userName sw "bench01"`)+"&startIndex=101&count=100", ""); r.get("totalResults") != float64(1000) {
			b.Fatalf("sw filter page: %v", r.get("totalResults"))
		}
		b.ReportMetric(float64(time.Since(start).Microseconds())/1000, "ms/sw_page")

		gid := e.do("POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"All"}`).str("id")
		start = time.Now()
		if r := e.do("PATCH", "/Groups/"+gid, membersPatch("add", ids)); r.Status != 204 {
			b.Fatalf("add members: %d %s", r.Status, r.Raw)
		}
		b.ReportMetric(float64(time.Since(start).Milliseconds()), "ms/add_10k_members")
		start = time.Now()
		if r := e.do("PATCH", "/Groups/"+gid, membersPatch("remove", ids)); r.Status != 204 {
			b.Fatalf("remove members: %d %s", r.Status, r.Raw)
		}
		b.ReportMetric(float64(time.Since(start).Milliseconds()), "ms/remove_10k_members")
	}
}

func newBenchEnv(b *testing.B) *env {
	b.Helper()
	backend := storetest.Backend{Name: "postgres", Open: storetest.OpenPostgres}
	return newEnvTB(b, backend, -1, scim.Options{RateLimitPerMinute: 1_000_000_000, MaxBodyBytes: 8 << 20})
}
