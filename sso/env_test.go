package sso_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"
	"github.com/jonboulle/clockwork"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/rollcall/rollcall/api"
	"github.com/rollcall/rollcall/domains"
	"github.com/rollcall/rollcall/domains/dnstest"
	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/sso"
	pgstore "github.com/rollcall/rollcall/store/postgres"
	sqlitestore "github.com/rollcall/rollcall/store/sqlite"
	"github.com/rollcall/rollcall/store/storetest"
)

// env is Rollcall over a real store, served over HTTP: the REST API at /api/v1, the SSO
// handler at /sso, a console stub at / and an app callback stub at /app/callback. Clocks: the
// service clock (storetest.NewClock) is also the SP's crewjam and goxmldsig clock (sso sets
// ServiceProvider.Clock from it), and the test IdP is given the same clock (samlidp's Clock),
// so tests can move time.
type env struct {
	t     *testing.T
	h     *storetest.Harness
	srv   *httptest.Server
	sso   *sso.Service
	dom   *domains.Service
	dns   *dnstest.Server
	op    string
	acme  provisioning.OrgWithOwner
	count func(query string) int
}

func newEnv(t *testing.T, b backend) *env {
	t.Helper()
	return newEnvWith(t, b, func(*sso.Options) {})
}

// newEnvWith is newEnv with changed SSO options.
func newEnvWith(t *testing.T, b backend, change func(*sso.Options)) *env {
	t.Helper()
	store, count := b.open(t)
	h := storetest.NewHarness(t, store)

	e := &env{t: t, h: h, count: count}
	mux := chi.NewRouter()
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	var err error
	e.dom, err = domains.New(h.Service, domains.Options{Resolver: lazyDNS{e}, LookupTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	// Every failure audited on its own (tests count them), unless a test asks for aggregation.
	o := sso.Options{BaseURL: e.srv.URL, Realms: e.dom,
		FailureAuditWindow: -1, AllowPrivateFetch: true}
	change(&o)
	e.sso, err = sso.New(h.Service, o)
	if err != nil {
		t.Fatal(err)
	}
	mux.Mount("/api/v1", api.New(api.Options{Service: h.Service, Domains: e.dom, SSO: e.sso}))
	mux.Mount(sso.MountPath, e.sso.Handler())
	mux.Get("/", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "console home") })
	mux.Get("/app/callback", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "app callback") })
	e.op, _, err = h.Service.EnsureOperatorKey(context.Background(), "test-operator-key-0123456789")
	if err != nil {
		t.Fatal(err)
	}
	e.acme = h.CreateOrg("acme", 10, "owner@acme.com")
	return e
}

// harnessClock is the harness clock for crewjam's IdP and goxmldsig, which read only Now.
type harnessClock struct {
	clockwork.Clock
	h *storetest.Clock
}

func (c harnessClock) Now() time.Time { return c.h.Now() }

// dsigClock is the harness clock in the form crewjam's samlidp takes.
func dsigClock(c *storetest.Clock) *dsig.Clock {
	return dsig.NewFakeClock(harnessClock{clockwork.NewRealClock(), c})
}

// backend opens a fresh store and a raw connection to count rows with.
type backend struct {
	name string
	open func(t *testing.T) (provisioning.Store, func(query string) int)
}

var (
	onSQLite = backend{"sqlite", func(t *testing.T) (provisioning.Store, func(string) int) {
		path := filepath.Join(t.TempDir(), "rollcall.db")
		db, err := sqlitestore.Open(context.Background(), path, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		raw, err := sql.Open("sqlite", "file:"+path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { raw.Close() })
		return db, func(q string) int {
			var n int
			if err := raw.QueryRow(q).Scan(&n); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			return n
		}
	}}
	onPostgres = backend{"postgres", func(t *testing.T) (provisioning.Store, func(string) int) {
		url := storetest.PostgresURL(t)
		db, err := pgstore.Open(context.Background(), url, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		return db, func(q string) int {
			conn, err := pgx.Connect(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(context.Background())
			var n int
			if err := conn.QueryRow(context.Background(), q).Scan(&n); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			return n
		}
	}}
)

// apiResponse is a decoded REST answer.
type apiResponse struct {
	Status int
	Body   map[string]any
	Raw    []byte
}

func (r apiResponse) errCode() string {
	e, _ := r.Body["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

// call sends a JSON request to the REST API with a bearer token.
func (e *env) call(token, method, path string, body any) apiResponse {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, e.srv.URL+"/api/v1"+path, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := apiResponse{Status: res.StatusCode, Raw: raw}
	_ = json.Unmarshal(raw, &out.Body)
	return out
}

// connection creates a connection in acme as the operator and returns its view.
func (e *env) connection(in map[string]any) sso.Connection {
	e.t.Helper()
	res := e.call(e.op, "POST", "/orgs/acme/sso/connections", in)
	if res.Status != http.StatusCreated {
		e.t.Fatalf("create connection: %d %s", res.Status, res.Raw)
	}
	var out struct{ Connection sso.Connection }
	_ = json.Unmarshal(res.Raw, &out)
	return out.Connection
}

// lazyDNS resolves through the test DNS server, started by the first verifyDomain: most tests
// need no DNS, and every listener started is one more chance of a port clash.
type lazyDNS struct{ e *env }

// LookupTXT asks the test DNS server.
func (l lazyDNS) LookupTXT(ctx context.Context, name string) ([]string, error) {
	r, err := domains.NewResolver(l.e.dns.Addr, 2*time.Second)
	if err != nil {
		return nil, err
	}
	return r.LookupTXT(ctx, name)
}

// verifyDomain claims and verifies an email domain for org through DNS.
func (e *env) verifyDomain(orgID, name string) {
	e.t.Helper()
	if e.dns == nil {
		e.dns = dnstest.Start(e.t)
	}
	d, err := e.dom.Add(e.h.Ctx, provisioning.Operator(), orgID, domains.AddInput{Name: name})
	if err != nil {
		e.t.Fatal(err)
	}
	e.dns.SetTXT(d.Record.Name, d.Record.Value)
	if d, err = e.dom.Verify(e.h.Ctx, provisioning.Operator(), orgID, name); err != nil || d.State != provisioning.DomainVerified {
		e.t.Fatalf("verify %s: %+v %v", name, d, err)
	}
}

// member returns the member with email in org, failing when there is none.
func (e *env) member(orgID, email string) provisioning.Member {
	e.t.Helper()
	m, ok := e.findMember(orgID, email)
	if !ok {
		e.t.Fatalf("%s is not a member of %s", email, orgID)
	}
	return m
}

func (e *env) findMember(orgID, email string) (provisioning.Member, bool) {
	var found provisioning.Member
	ok := false
	e.h.Tx(func(tx provisioning.StoreTx) error {
		list, err := tx.ListMembers(e.h.Ctx, provisioning.MemberQuery{OrgID: orgID, Search: email})
		for _, m := range list {
			if m.Email == email {
				found, ok = m, true
			}
		}
		return err
	})
	return found, ok
}

// counts is a fingerprint of everything a sign-in may write, to prove a refused one wrote nothing.
type counts struct{ users, members, identities, sessions, codes, assertions int }

func (e *env) counts() counts {
	e.t.Helper()
	var c counts
	for _, q := range []struct {
		n   *int
		sql string
	}{{&c.users, "SELECT COUNT(*) FROM users"}, {&c.members, "SELECT COUNT(*) FROM memberships"},
		{&c.identities, "SELECT COUNT(*) FROM identities"}, {&c.sessions, "SELECT COUNT(*) FROM sessions"},
		{&c.codes, "SELECT COUNT(*) FROM sso_codes"}, {&c.assertions, "SELECT COUNT(*) FROM sso_assertions"}} {
		*q.n = e.count(q.sql)
	}
	return c
}

// audits returns acme's audit events with action, newest first.
func (e *env) audits(action string) []provisioning.AuditEvent {
	e.t.Helper()
	var out []provisioning.AuditEvent
	e.h.Tx(func(tx provisioning.StoreTx) error {
		var err error
		out, err = tx.ListAudit(e.h.Ctx, provisioning.AuditQuery{OrgID: e.acme.Org.ID, Action: action, Limit: 100})
		return err
	})
	return out
}

// decode unmarshals a JSON body into T.
func decode[T any](t *testing.T, raw []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return v
}
