package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// probe is a request sent again and again while a large change runs, to see whom it blocks.
type probe struct {
	name string
	fn   func(ctx context.Context, n int64) error
}

// probes are a SCIM read in the big org, a SCIM read in another org and a SCIM create in the
// big org.
func (r *run) probes() []probe {
	var created atomic.Int64
	return []probe{
		{"same-org GET", func(ctx context.Context, n int64) error {
			_, err := r.c.discard(ctx, "GET", filterPath("Users", fmt.Sprintf("userName eq %q", member(1+int(n)%r.cfg.Members))), r.big.SCIM)
			return err
		}},
		{"other-org GET", func(ctx context.Context, _ int64) error {
			_, err := r.c.discard(ctx, "GET", "/scim/v2/Users?count=10", r.other.SCIM)
			return err
		}},
		{"same-org POST", func(ctx context.Context, _ int64) error {
			_, err := r.c.do(ctx, "POST", "/scim/v2/Users", r.big.SCIM, scimUser(fmt.Sprintf("probe%d-%s@bench.example", created.Add(1), r.backend)))
			return err
		}},
	}
}

// probeWhile runs each probe on one connection until stop is closed, one request per interval
// of length every (back to back when every is 0 or a request outlasts it), and returns the
// latencies of each.
func probeWhile(ctx context.Context, ps []probe, every time.Duration, stop <-chan struct{}) [][]time.Duration {
	out := make([][]time.Duration, len(ps))
	var wg sync.WaitGroup
	for i, p := range ps {
		wg.Go(func() {
			next := time.Now()
			for n := int64(0); ; n++ {
				select {
				case <-stop:
					return
				case <-time.After(time.Until(next)):
				}
				t := time.Now()
				next = t.Add(every)
				if p.fn(ctx, n) == nil {
					out[i] = append(out[i], time.Since(t))
				}
			}
		})
	}
	wg.Wait()
	return out
}

// groupPatch adds cfg.PatchMembers members of the large org, spread over it (spread), in one
// PATCH to a group mapped to the admin role and to a plain group, with the probes running;
// their p99 idle and during the PATCH are reported.
func (r *run) groupPatch(ctx context.Context) error {
	k := min(r.cfg.PatchMembers, len(r.bigIDs))
	ps := r.probes()
	for i, g := range []struct{ name, role string }{{"Mapped Bench", "admin"}, {"Plain Bench", ""}} {
		var grp struct {
			ID string `json:"id"`
		}
		body, _ := json.Marshal(map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Group"}, "displayName": g.name})
		b, err := r.c.do(ctx, "POST", "/scim/v2/Groups", r.big.SCIM, body)
		if err == nil {
			err = json.Unmarshal(b, &grp)
		}
		if err != nil {
			return fmt.Errorf("group: %w", err)
		}
		if g.role != "" {
			if err := r.c.call(ctx, "POST", "/api/v1/orgs/"+r.big.Slug+"/scim/mappings", operatorKey, map[string]string{"group": g.name, "role": g.role}, nil); err != nil {
				return fmt.Errorf("mapping: %w", err)
			}
		}
		ids := spread(r.bigIDs, k, i)
		stop := make(chan struct{})
		time.AfterFunc(r.cfg.ProbeIdle, func() { close(stop) })
		idle := probeWhile(ctx, ps, r.cfg.ProbeEvery, stop)
		stop = make(chan struct{})
		during := make(chan [][]time.Duration, 1)
		go func() { during <- probeWhile(ctx, ps, r.cfg.ProbeEvery, stop) }()
		start := time.Now()
		_, err = r.c.do(ctx, "PATCH", "/scim/v2/Groups/"+grp.ID, r.big.SCIM, membersPatch("add", ids))
		took := time.Since(start)
		close(stop)
		busy := <-during
		s := summarize([]time.Duration{took}, took)
		if err != nil {
			s = Stats{Errors: 1, FirstError: err.Error()}
		}
		kind := "plain"
		if g.role != "" {
			kind = "mapped to " + g.role
		}
		row := Row{Workload: fmt.Sprintf("group PATCH +%d (%s)", k, kind), Concurrency: 1, Stats: s,
			Target: "< 1 s; probes' p99 within 2× idle", Extra: map[string]any{}}
		var notes []string
		for j, p := range ps {
			a, b := summarize(idle[j], r.cfg.ProbeIdle), summarize(busy[j], took)
			row.Extra[p.name] = map[string]any{"idle": a, "during": b}
			notes = append(notes, fmt.Sprintf("%s p99 %.0f→%.0f ms (%d during)", p.name, a.P99ms, b.P99ms, b.Ops))
		}
		row.Note = fmt.Sprintf("probes every %v: ", r.cfg.ProbeEvery) + strings.Join(notes, "; ")
		r.add(row)
	}
	return nil
}

// spread picks k of ids for the group'th large group: every (len(ids)/k)-th one, starting at
// group, as the people of a department joined over the years rather than in one run; two groups
// share no one when ids hold at least 2k. It falls back to the first k when there are too few.
func spread(ids []string, k, group int) []string {
	if k <= 0 {
		return nil
	}
	stride := len(ids) / k
	if stride < 2 {
		return ids[:k]
	}
	out := make([]string, k)
	for j := range out {
		out[j] = ids[j*stride+group%stride]
	}
	return out
}

// introspection calls POST /api/v1/introspect with one member token per worker.
func (r *run) introspection(ctx context.Context) error {
	db, err := serverDB(r.backend, r.srv.DBURL)
	if err != nil {
		return err
	}
	defer db.Close()
	tokens, err := memberTokens(ctx, db, r.backend, r.other.ID, slices.Max(r.cfg.Concurrency))
	if err != nil {
		return err
	}
	bodies := make([][]byte, len(tokens))
	for i, t := range tokens {
		bodies[i], _ = json.Marshal(map[string]string{"token": t})
	}
	for _, conc := range r.cfg.Concurrency {
		s := closedLoop(ctx, conc, r.cfg.Duration, func(ctx context.Context, w int, _ int64) error {
			b, err := r.c.do(ctx, "POST", "/api/v1/introspect", operatorKey, bodies[w])
			if err != nil {
				return err
			}
			var out struct {
				Active bool `json:"active"`
			}
			if err := json.Unmarshal(b, &out); err != nil || !out.Active {
				return fmt.Errorf("introspect: not active: %s", b)
			}
			return nil
		})
		r.add(ratio(Row{Workload: "introspection", Concurrency: conc, Stats: s, Target: "≥ 0.5 of PK UPDATE, p99 < 10 ms"}, r.update[conc]))
	}
	return nil
}

// bulkInvites sends cfg.Repeats bulk invitations of cfg.Invites addresses each, without email.
func (r *run) bulkInvites(ctx context.Context) {
	var times []time.Duration
	errs, first := 0, ""
	for rep := range r.cfg.Repeats {
		emails := make([]string, r.cfg.Invites)
		for i := range emails {
			emails[i] = fmt.Sprintf("inv%d-%d@invite.example", rep, i)
		}
		var out struct {
			Invited []json.RawMessage `json:"invited"`
			Refused []json.RawMessage `json:"refused"`
		}
		no := false
		start := time.Now()
		err := r.c.call(ctx, "POST", "/api/v1/orgs/"+r.create.Slug+"/invitations/bulk", operatorKey,
			map[string]any{"emails": emails, "role": "member", "sendEmail": &no}, &out)
		d := time.Since(start)
		if err == nil && len(out.Invited) != len(emails) {
			err = fmt.Errorf("%d invited, %d refused", len(out.Invited), len(out.Refused))
		}
		if err != nil {
			errs++
			if first == "" {
				first = err.Error()
			}
			continue
		}
		times = append(times, d)
	}
	s := summarize(times, sum(times))
	s.Errors, s.FirstError = errs, first
	if t := sum(times); t > 0 {
		s.PerSecond = round(float64(len(times)*r.cfg.Invites)/t.Seconds(), 1)
	}
	r.add(ratio(Row{Workload: fmt.Sprintf("bulk invitations ×%d", r.cfg.Invites), Concurrency: 1, Stats: s,
		Note: "per second: invitations; latency: per bulk request"}, r.insert[1]))
}
