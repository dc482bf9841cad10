package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Row is one line of the report: a workload at one concurrency on one backend.
type Row struct {
	Backend     string         `json:"backend"`
	Workload    string         `json:"workload"`
	Concurrency int            `json:"concurrency,omitempty"`
	Stats       Stats          `json:"stats"`
	Ceiling     float64        `json:"ceilingPerSecond,omitempty"`
	Ratio       float64        `json:"ratioToCeiling,omitempty"`
	Target      string         `json:"target,omitempty"`
	Note        string         `json:"note,omitempty"`
	Extra       map[string]any `json:"extra,omitempty"`
}

// run is one backend's benchmark: its server, the orgs made on it and the rows measured.
type run struct {
	cfg     config
	backend string
	srv     *server
	c       *client
	create  tenant // SCIM creates, invitations
	big     tenant // the large directory
	other   tenant // another org, probed during large changes
	bigIDs  []string
	insert  map[int]Stats
	update  map[int]Stats
	rows    []Row
	creates int // distinct numbering of created users across runs
}

func (r *run) add(row Row) {
	row.Backend = r.backend
	r.rows = append(r.rows, row)
	logf("%-8s %-34s c=%-3d %8.1f/s p50 %7.2f p95 %7.2f p99 %7.2f ms errors %d %s", r.backend, row.Workload,
		row.Concurrency, row.Stats.PerSecond, row.Stats.P50ms, row.Stats.P95ms, row.Stats.P99ms, row.Stats.Errors, row.Stats.FirstError)
}

// ratio sets the row's ceiling and its ratio to it.
func ratio(row Row, ceiling Stats) Row {
	row.Ceiling = ceiling.PerSecond
	if ceiling.PerSecond > 0 {
		row.Ratio = round(row.Stats.PerSecond/ceiling.PerSecond, 3)
	}
	return row
}

// scimCreates pushes new users into the create org at each concurrency, then changes them
// with PATCH as an IdP does when a profile changes (scimUpdates).
func (r *run) scimCreates(ctx context.Context) {
	var (
		mu  sync.Mutex
		ids []string
	)
	for _, conc := range r.cfg.Concurrency {
		r.creates++
		batch := r.creates
		s := closedLoop(ctx, conc, r.cfg.Duration, func(ctx context.Context, _ int, n int64) error {
			body, err := r.c.do(ctx, "POST", "/scim/v2/Users", r.create.SCIM, scimUser(fmt.Sprintf("c%d-%d@create.example", batch, n)))
			if err != nil {
				return err
			}
			var created struct{ ID string }
			if err := json.Unmarshal(body, &created); err != nil || created.ID == "" {
				return fmt.Errorf("create answered %.200s", body)
			}
			mu.Lock()
			ids = append(ids, created.ID)
			mu.Unlock()
			return nil
		})
		r.add(ratio(Row{Workload: "scim create", Concurrency: conc, Stats: s, Target: "≥ 0.6 of raw INSERT"}, r.insert[conc]))
	}
	r.scimUpdates(ctx, ids)
}

// scimUpdates sends PATCH /Users/{id} replacing the displayName of the users given, each
// request to the next user of the list (so concurrent requests change different users).
func (r *run) scimUpdates(ctx context.Context, ids []string) {
	if len(ids) == 0 {
		return
	}
	var next atomic.Int64
	for _, conc := range r.cfg.Concurrency {
		s := closedLoop(ctx, conc, r.cfg.Duration, func(ctx context.Context, _ int, n int64) error {
			i := next.Add(1)
			body := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],`+
				`"Operations":[{"op":"replace","path":"displayName","value":"Renamed %d"}]}`, i)
			_, err := r.c.do(ctx, "PATCH", "/scim/v2/Users/"+ids[i%int64(len(ids))], r.create.SCIM, []byte(body))
			return err
		})
		r.add(Row{Workload: "scim user PATCH (displayName)", Concurrency: conc, Stats: s, Note: fmt.Sprintf("over %d users", len(ids))})
	}
}

// seedBig fills the big org with cfg.Members SCIM users: one through SCIM, the rest cloned from
// it by bulk SQL.
func (r *run) seedBig(ctx context.Context) error {
	start := time.Now()
	id, err := createSCIMUser(ctx, r.c, r.big, seedToken+"@bench.example")
	if err != nil {
		return fmt.Errorf("template user: %w", err)
	}
	db, err := serverDB(r.backend, r.srv.DBURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if r.bigIDs, err = seedClones(ctx, db, r.backend, id, r.cfg.Members); err != nil {
		return err
	}
	logf("%s: seeded %d members in %v", r.backend, r.cfg.Members, time.Since(start).Round(time.Millisecond))
	return r.checkSeed(ctx)
}

// checkSeed makes sure the server sees the clones as SCIM users with their work email.
func (r *run) checkSeed(ctx context.Context) error {
	for _, f := range []string{fmt.Sprintf("userName eq %q", member(r.cfg.Members)),
		fmt.Sprintf(`emails[type eq "work"].value eq %q`, member(1))} {
		var out struct {
			TotalResults int `json:"totalResults"`
		}
		if err := r.c.call(ctx, "GET", filterPath("Users", f), r.big.SCIM, nil, &out); err != nil {
			return err
		}
		if out.TotalResults != 1 {
			return fmt.Errorf("seeded users not found by %s: %d results", f, out.TotalResults)
		}
	}
	return nil
}

// member is the userName of clone i of the big org.
func member(i int) string { return fmt.Sprintf("b%d@bench.example", i) }

// bigReads runs the SCIM filters, the deep page and the member list sorts and search in the
// big org at each concurrency.
func (r *run) bigReads(ctx context.Context) {
	n := r.cfg.Members
	deep := max(1, n/2)
	scim := func(path func() string) op {
		return func(ctx context.Context, _ int, _ int64) error {
			_, err := r.c.discard(ctx, "GET", path(), r.big.SCIM)
			return err
		}
	}
	api := func(query func() string) op {
		return func(ctx context.Context, _ int, _ int64) error {
			_, err := r.c.discard(ctx, "GET", "/api/v1/orgs/"+r.big.Slug+"/members?"+query(), operatorKey)
			return err
		}
	}
	pick := func() int { return 1 + rand.IntN(n) }
	// Each client of the import walk reads its own run of consecutive pages, as an IdP does,
	// starting at a different place.
	var next [1024]int
	for w := range next {
		next[w] = (w * 7919 * 100) % n
	}
	importPage := func(w int) string {
		start := next[w%len(next)]
		next[w%len(next)] = (start + 100) % n
		return fmt.Sprintf("/scim/v2/Users?startIndex=%d&count=100", start+1)
	}
	workloads := []struct {
		name, target string
		fn           op
	}{
		{"scim filter userName eq", "p95 < 20 ms", scim(func() string { return filterPath("Users", fmt.Sprintf("userName eq %q", member(pick()))) })},
		{`scim filter emails[type eq "work"]`, "p95 < 20 ms", scim(func() string {
			return filterPath("Users", fmt.Sprintf(`emails[type eq "work"].value eq %q`, member(pick())))
		})},
		{fmt.Sprintf("scim page startIndex=%d", deep), "p95 < 50 ms", scim(func() string { return fmt.Sprintf("/scim/v2/Users?startIndex=%d&count=100", deep) })},
		{"scim page random startIndex", "p95 < 50 ms", scim(func() string { return fmt.Sprintf("/scim/v2/Users?startIndex=%d&count=100", pick()) })},
		{"scim pages in order (import)", "p95 < 50 ms", func(ctx context.Context, w int, _ int64) error {
			_, err := r.c.discard(ctx, "GET", importPage(w), r.big.SCIM)
			return err
		}},
		{"members sort=name", "p95 < 20 ms", api(func() string { return "sort=name&limit=50" })},
		{"members sort=email", "p95 < 20 ms", api(func() string { return "sort=email&limit=50" })},
		{"members sort=joined", "p95 < 20 ms", api(func() string { return "sort=joined&limit=50" })},
		{"members q= search", "p95 < 20 ms", api(func() string { return "limit=50&q=" + url.QueryEscape(fmt.Sprintf("b%d", pick())) })},
	}
	for _, w := range workloads {
		for _, conc := range r.cfg.Concurrency {
			s := closedLoop(ctx, conc, r.cfg.Duration, w.fn)
			r.add(Row{Workload: w.name, Concurrency: conc, Stats: s, Target: w.target, Note: fmt.Sprintf("%d-member org", n)})
		}
	}
}

// export downloads the big org's CSV a few times, sampling the server's RSS every 5 ms.
func (r *run) export(ctx context.Context) {
	var times []time.Duration
	var worst int64
	var size int64
	errs := 0
	for range r.cfg.Repeats {
		before, _ := r.srv.memory()
		peak := before
		done := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			t := time.NewTicker(5 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-done:
					return
				case <-t.C:
					if rss, _ := r.srv.memory(); rss > peak {
						peak = rss
					}
				}
			}
		})
		start := time.Now()
		n, err := r.c.discard(ctx, "GET", "/api/v1/orgs/"+r.big.Slug+"/members/export", operatorKey)
		d := time.Since(start)
		close(done)
		wg.Wait()
		if err != nil {
			errs++
			continue
		}
		times, size = append(times, d), n
		worst = max(worst, peak-before)
	}
	s := summarize(times, sum(times))
	s.Errors = errs
	r.add(Row{Workload: "members CSV export", Concurrency: 1, Stats: s, Target: "< 1.5 s, RSS growth < 30 MB",
		Note:  fmt.Sprintf("%d members, %.1f MB, RSS growth ≤ %.1f MB", r.cfg.Members, float64(size)/1e6, float64(worst)/1024),
		Extra: map[string]any{"bytes": size, "rssGrowthKiB": worst}})
}

func sum(d []time.Duration) time.Duration {
	var t time.Duration
	for _, x := range d {
		t += x
	}
	return t
}

// membersPatch is a SCIM PATCH adding or removing ids as members.
func membersPatch(op string, ids []string) []byte {
	var b strings.Builder
	b.WriteString(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"` + op + `","path":"members","value":[`)
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"value":"` + id + `"}`)
	}
	b.WriteString(`]}]}`)
	return []byte(b.String())
}
