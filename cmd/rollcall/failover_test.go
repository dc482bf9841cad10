package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/store/postgres"
)

// TestFailoverOnPatroni runs Rollcall on a Patroni-managed primary and synchronous replica,
// given both hosts with target_session_attrs=read-write, and kills the primary (Patroni and
// PostgreSQL, SIGKILL) under SCIM and invitation load. Every acknowledged write must be on the
// promoted replica, every request in the gap must get 503 with Retry-After, and the same server
// must serve again once Patroni has promoted; the time to the first success is logged.
func TestFailoverOnPatroni(t *testing.T) {
	requirePatroni(t)
	began := time.Now()
	c := startPatroni(t)
	t.Logf("etcd and Patroni up with a streaming synchronous replica after %s", time.Since(began).Round(time.Millisecond))
	leader, replica := c.roles()
	createDatabase(t, leader.url("postgres"), "rollcall")

	hosts := fmt.Sprintf("127.0.0.1:%d,127.0.0.1:%d", c.nodes[0].PGPort, c.nodes[1].PGPort)
	const key = "failover-operator-key"
	s := startServe(t, map[string]string{
		"ROLLCALL_DATABASE_URL":    "postgres://postgres@" + hosts + "/rollcall?sslmode=disable&target_session_attrs=read-write",
		"ROLLCALL_OPERATOR_KEY":    key,
		"ROLLCALL_SCIM_RATE_LIMIT": "1000000",
	})
	defer func() { s.cancel(); <-s.code }()
	client := &http.Client{Timeout: 15 * time.Second}
	call := func(method, path, token, body string) outcome {
		req, _ := http.NewRequest(method, s.url+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		o := outcome{start: time.Now()}
		res, err := client.Do(req)
		o.end = time.Now()
		if err != nil {
			o.err = err
			return o
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		o.status, o.retryAfter, o.body = res.StatusCode, res.Header.Get("Retry-After"), string(b)
		return o
	}
	if o := call("POST", "/api/v1/orgs", key, `{"slug":"acme","name":"Acme","plan":"enterprise","seatLimit":-1,"ownerEmail":"owner@acme.com"}`); o.status != 201 {
		t.Fatalf("create org: %d %s %v", o.status, o.body, o.err)
	}
	o := call("POST", "/api/v1/orgs/acme/scim/tokens", key, `{"name":"Okta"}`)
	scimToken := regexp.MustCompile(`scim_[A-Za-z0-9_-]+`).FindString(o.body)
	if o.status != 201 || scimToken == "" {
		t.Fatalf("create SCIM token: %d %s %v", o.status, o.body, o.err)
	}

	standbyOnly(t, replica)

	var load loadRecord
	var stop atomic.Bool
	var wg sync.WaitGroup
	worker := func(kind string, n int, send func(name string) outcome) {
		defer wg.Done()
		for i := 0; !stop.Load(); i++ {
			name := fmt.Sprintf("%s-%d-%d@acme.com", kind, n, i)
			o := send(name)
			o.kind, o.name = kind, name
			load.add(o)
			time.Sleep(10 * time.Millisecond)
		}
	}
	for n := range 4 {
		wg.Add(1)
		go worker("scim", n, func(name string) outcome {
			return call("POST", "/scim/v2/Users", scimToken, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":%q,"emails":[{"value":%q,"type":"work","primary":true}]}`, name, name))
		})
	}
	for n := range 2 {
		wg.Add(1)
		go worker("invite", n, func(name string) outcome {
			return call("POST", "/api/v1/orgs/acme/invitations", key, fmt.Sprintf(`{"email":%q,"role":"member","sendEmail":false}`, name))
		})
	}
	defer func() { stop.Store(true); wg.Wait() }()

	c.waitFor("acknowledged writes before the failover", 20*time.Second, func() bool { return load.successes(time.Time{}) >= 30 })
	// The gap starts when the primary's PostgreSQL is dead: kill first stops its Patroni, and
	// writes still succeed on the primary meanwhile (with its synchronous replica streaming).
	c.kill(leader)
	killedAt := time.Now()
	c.waitFor("success after the failover", 45*time.Second, func() bool { return load.successes(killedAt) >= 10 })
	stop.Store(true)
	wg.Wait()

	ops := load.all()
	first, gap503, longest := time.Duration(0), 0, time.Duration(0)
	var bad []string
	for _, o := range ops {
		longest = max(longest, o.end.Sub(o.start))
		switch {
		case o.err == nil && o.status/100 == 2:
			if o.start.After(killedAt) && (first == 0 || o.end.Sub(killedAt) < first) {
				first = o.end.Sub(killedAt)
			}
		case o.err == nil && o.status == 503 && o.retryAfter != "":
			gap503++
		default:
			bad = append(bad, fmt.Sprintf("%s %s at +%s: %d %v %.200s", o.kind, o.name, o.start.Sub(killedAt).Round(time.Millisecond), o.status, o.err, o.body))
		}
	}
	if len(bad) > 0 {
		t.Errorf("%d of %d requests were neither 2xx nor 503 with Retry-After, e.g.:\n%s", len(bad), len(ops), strings.Join(bad[:min(len(bad), 8)], "\n"))
	}
	if longest > 10*time.Second {
		t.Errorf("the longest request took %s: requests during the failover must be answered, not held", longest)
	}
	if gap503 == 0 {
		t.Errorf("no request got 503 while the primary was gone: the test did not exercise the gap")
	}
	// Rollcall may write to the promoted replica a moment before its Patroni reports it as a
	// running leader in /cluster: wait for that report rather than read it once.
	var promoted *patroniNode
	c.waitFor("report of the synchronous replica "+replica.Name+" as Patroni's running leader", 20*time.Second, func() bool {
		promoted, _ = c.roles()
		return promoted == replica
	})
	missing := missingOnPrimary(t, promoted.url("rollcall"), ops)
	if len(missing) > 0 {
		t.Errorf("%d acknowledged writes are not on the new primary, e.g. %v", len(missing), missing[:min(len(missing), 8)])
	}
	if code, body := httpGet(t, s.url+"/readyz"); code != 200 {
		t.Errorf("readyz on the new primary without a restart: %d %s", code, body)
	}
	t.Logf("failover: %d requests (%d acknowledged, %d answered 503 with Retry-After); primary %s killed, first success %s later on %s; longest request %s",
		len(ops), load.successes(time.Time{}), gap503, leader.Name, first.Round(time.Millisecond), promoted.Name, longest.Round(time.Millisecond))
}

// outcome is one request of the load and its answer.
type outcome struct {
	kind, name       string
	start, end       time.Time
	status           int
	retryAfter, body string
	err              error
}

// loadRecord collects the outcomes of every worker.
type loadRecord struct {
	mu  sync.Mutex
	ops []outcome
}

func (l *loadRecord) add(o outcome) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ops = append(l.ops, o)
}

func (l *loadRecord) all() []outcome {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]outcome(nil), l.ops...)
}

// successes counts the 2xx answers to requests started after since.
func (l *loadRecord) successes(since time.Time) int {
	n := 0
	for _, o := range l.all() {
		if o.err == nil && o.status/100 == 2 && o.start.After(since) {
			n++
		}
	}
	return n
}

// missingOnPrimary lists the acknowledged SCIM users and invitations that the database at url
// does not hold; it fails the test when url is not a writable primary.
func missingOnPrimary(t *testing.T, url string, ops []outcome) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect to the new primary: %v", err)
	}
	defer conn.Close(ctx)
	var recovery bool
	if err := conn.QueryRow(ctx, "SELECT pg_is_in_recovery()").Scan(&recovery); err != nil || recovery {
		t.Fatalf("the promoted node is still in recovery (%v)", err)
	}
	acked := map[string][]string{}
	for _, o := range ops {
		if o.err == nil && o.status/100 == 2 {
			acked[o.kind] = append(acked[o.kind], o.name)
		}
	}
	queries := map[string]string{
		"scim":   "SELECT user_name FROM scim_users WHERE user_name = ANY($1)",
		"invite": "SELECT email FROM invitations WHERE email = ANY($1)",
	}
	var missing []string
	for kind, names := range acked {
		rows, err := conn.Query(ctx, queries[kind], names)
		if err != nil {
			t.Fatal(err)
		}
		found, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		have := map[string]bool{}
		for _, f := range found {
			have[f] = true
		}
		for _, n := range names {
			if !have[n] {
				missing = append(missing, kind+" "+n)
			}
		}
	}
	sort.Strings(missing)
	return missing
}

// createDatabase creates database name on the server at url.
func createDatabase(t *testing.T, url, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
}

// standbyOnly opens the store on the synchronous replica alone (no target_session_attrs, as a
// stale or hand-written URL would): an update must fail as unavailable (503 and Retry-After),
// since a standby refuses read-write transactions, while a read works.
func standbyOnly(t *testing.T, replica *patroniNode) {
	t.Helper()
	ctx := context.Background()
	db, err := postgres.Open(ctx, replica.url("rollcall"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.View(ctx, func(provisioning.StoreTx) error { return nil }); err != nil {
		t.Fatalf("a read on the standby: %v", err)
	}
	// A transaction sends its BEGIN with its first statement, so the update writes something.
	err = db.Update(ctx, func(tx provisioning.StoreTx) error {
		_, err := tx.HitRateLimit(ctx, "standby-probe", time.Minute, time.Now())
		return err
	})
	if !provisioning.IsCode(err, provisioning.CodeUnavailable) {
		t.Errorf("an update on the standby: %v, want code unavailable", err)
	}
}
