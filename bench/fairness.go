package main

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// fairness makes cfg.Tenants orgs that each push SCIM creates at cfg.TenantRate per second,
// all at once (open loop: a tenant sends on its schedule, up to 8 requests in flight), and
// compares each tenant's p99 with the median tenant's.
func (r *run) fairness(ctx context.Context) error {
	tenants := make([]tenant, r.cfg.Tenants)
	for i := range tenants {
		t, err := newTenant(ctx, r.c, fmt.Sprintf("tenant%03d", i))
		if err != nil {
			return fmt.Errorf("tenant %d: %w", i, err)
		}
		tenants[i] = t
	}
	lat := make([][]time.Duration, len(tenants))
	var skipped, failed atomic.Int64
	start := time.Now()
	deadline := start.Add(r.cfg.TenantDuration)
	every := time.Duration(float64(time.Second) / r.cfg.TenantRate)
	var all sync.WaitGroup
	for i, t := range tenants {
		all.Go(func() {
			var mu sync.Mutex
			var wg sync.WaitGroup
			slots := make(chan struct{}, 8)
			tick := time.NewTicker(every)
			defer tick.Stop()
			// stagger the tenants over one interval
			time.Sleep(time.Duration(i) * every / time.Duration(len(tenants)))
			for n := 0; time.Now().Before(deadline); n++ {
				select {
				case slots <- struct{}{}:
					wg.Go(func() {
						defer func() { <-slots }()
						t0 := time.Now()
						_, err := r.c.do(ctx, "POST", "/scim/v2/Users", t.SCIM, scimUser(fmt.Sprintf("f%d@%s.example", n, t.Slug)))
						if err != nil {
							failed.Add(1)
							return
						}
						mu.Lock()
						lat[i] = append(lat[i], time.Since(t0))
						mu.Unlock()
					})
				default:
					skipped.Add(1)
				}
				<-tick.C
			}
			wg.Wait()
		})
	}
	all.Wait()
	wall := time.Since(start)
	var p99s []float64
	var samples []time.Duration
	for _, l := range lat {
		samples = append(samples, l...)
		p99s = append(p99s, summarize(l, wall).P99ms)
	}
	slices.Sort(p99s)
	median, worst := p99s[len(p99s)/2], p99s[len(p99s)-1]
	s := summarize(samples, wall)
	s.Errors = int(failed.Load())
	row := Row{Workload: fmt.Sprintf("fairness %d tenants × %g/s create", len(tenants), r.cfg.TenantRate), Concurrency: len(tenants), Stats: s,
		Target: "worst tenant p99 ≤ 5× median tenant's",
		Note: fmt.Sprintf("asked %.0f/s; tenant p99 median %.0f ms, worst %.0f ms (%.1f×); %d sends skipped (8 in flight)",
			r.cfg.TenantRate*float64(len(tenants)), median, worst, worst/max(median, 0.001), skipped.Load()),
		Extra: map[string]any{"medianTenantP99Ms": median, "worstTenantP99Ms": worst, "skipped": skipped.Load()}}
	r.add(row)
	return nil
}
