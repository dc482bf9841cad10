package main

import (
	"context"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Stats summarizes one measured run: how many operations finished, how many failed, the
// throughput over the run's wall time and latency percentiles of the successful ones.
type Stats struct {
	Ops        int     `json:"ops"`
	Errors     int     `json:"errors"`
	Seconds    float64 `json:"seconds"`
	PerSecond  float64 `json:"perSecond"`
	P50ms      float64 `json:"p50Ms"`
	P95ms      float64 `json:"p95Ms"`
	P99ms      float64 `json:"p99Ms"`
	MaxMs      float64 `json:"maxMs"`
	FirstError string  `json:"firstError,omitempty"`
}

// op is one unit of work of a closed-loop worker; n counts the operations of the run, shared
// by all workers, so each call can pick a distinct key.
type op func(ctx context.Context, worker int, n int64) error

// closedLoop runs conc workers that each call fn back to back for d and returns the stats.
func closedLoop(ctx context.Context, conc int, d time.Duration, fn op) Stats {
	var (
		counter atomic.Int64
		mu      sync.Mutex
		all     []time.Duration
		errs    int
		first   string
		wg      sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(d)
	for w := range conc {
		wg.Go(func() {
			var mine []time.Duration
			var bad int
			var firstErr string
			for time.Now().Before(deadline) && ctx.Err() == nil {
				t := time.Now()
				if err := fn(ctx, w, counter.Add(1)); err != nil {
					bad++
					if firstErr == "" {
						firstErr = err.Error()
					}
					continue
				}
				mine = append(mine, time.Since(t))
			}
			mu.Lock()
			all = append(all, mine...)
			errs += bad
			if first == "" {
				first = firstErr
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	s := summarize(all, time.Since(start))
	s.Errors, s.FirstError = errs, first
	return s
}

// summarize computes throughput and percentiles of the successful durations over wall.
func summarize(d []time.Duration, wall time.Duration) Stats {
	slices.Sort(d)
	s := Stats{Ops: len(d), Seconds: round(wall.Seconds(), 3)}
	if wall > 0 {
		s.PerSecond = round(float64(len(d))/wall.Seconds(), 1)
	}
	if len(d) > 0 {
		s.P50ms, s.P95ms, s.P99ms = pct(d, 0.50), pct(d, 0.95), pct(d, 0.99)
		s.MaxMs = ms(d[len(d)-1])
	}
	return s
}

// pct is the q-quantile of sorted d in milliseconds (nearest rank).
func pct(sorted []time.Duration, q float64) float64 {
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	i = max(0, min(i, len(sorted)-1))
	return ms(sorted[i])
}

func ms(d time.Duration) float64 { return round(float64(d)/float64(time.Millisecond), 2) }

func round(v float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(v*p) / p
}
