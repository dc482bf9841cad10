package storetest

import (
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

// BenchMembers is the size of the org the large-org benchmarks seed: 100,000, or
// ROLLCALL_BENCH_MEMBERS.
func BenchMembers() int {
	if n, err := strconv.Atoi(os.Getenv("ROLLCALL_BENCH_MEMBERS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// BenchLargeOrg runs each of LargeOrgCases as a sub-benchmark through the store, one read
// transaction per call as the service runs it, and reports p50 and p95 besides ns/op.
// Reported, never asserted.
func BenchLargeOrg(b *testing.B, h *Harness, o LargeOrg) {
	for _, c := range LargeOrgCases(o) {
		b.Run(c.Name, func(b *testing.B) {
			times := make([]time.Duration, 0, b.N)
			for b.Loop() {
				start := time.Now()
				err := h.Store.View(h.Ctx, func(tx provisioning.StoreTx) error {
					if c.Members != nil {
						ms, err := tx.ListMembers(h.Ctx, *c.Members)
						if err == nil && len(ms) == 0 {
							b.Fatalf("%s: no members", c.Name)
						}
						return err
					}
					us, _, err := tx.ListDirectoryUsers(h.Ctx, *c.Users)
					if err == nil && len(us) == 0 {
						b.Fatalf("%s: no users", c.Name)
					}
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
				times = append(times, time.Since(start))
			}
			slices.Sort(times)
			at := func(p float64) float64 { return float64(times[int(p*float64(len(times)-1))].Microseconds()) / 1000 }
			b.ReportMetric(at(0.50), "p50-ms")
			b.ReportMetric(at(0.95), "p95-ms")
		})
	}
}
