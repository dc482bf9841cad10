package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rollcall/rollcall/store/storetest"
)

// syncBuffer is a goroutine-safe output sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func envFrom(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestBadConfigurationExitsWithOneLine(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	cases := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"serve", "--log-level", "loud"}, nil, `rollcall serve: invalid --log-level (ROLLCALL_LOG_LEVEL) "loud": use debug, info, warn or error`},
		{[]string{"serve"}, map[string]string{"ROLLCALL_DATABASE_URL": "mysql://db/x"}, "invalid --database-url (ROLLCALL_DATABASE_URL, set in the environment)"},
		{[]string{"serve", "--database-url", "postgres://bad host:x/"}, nil, "--database-url"},
		{[]string{"serve", "--addr", busy.Addr().String(), "--data-dir", t.TempDir()}, nil, "--addr (ROLLCALL_ADDR)"},
		{[]string{"serve", "--bogus"}, nil, "bogus"},
		{[]string{"nosuchcommand"}, nil, "unknown command"},
	}
	for _, c := range cases {
		var out, errOut syncBuffer
		code := run(context.Background(), c.args, envFrom(c.env), strings.NewReader(""), &out, &errOut)
		lines := strings.Split(strings.TrimRight(errOut.String(), "\n"), "\n")
		if code != exitUsage || len(lines) != 1 || !strings.Contains(lines[0], c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and one line naming %q", c.args, code, errOut.String(), c.want)
		}
	}
}

func TestHelpAndUsageExitCodes(t *testing.T) {
	cases := []struct {
		args []string
		code int
	}{
		{[]string{"serve", "--help"}, exitOK},
		{[]string{"migrate", "-h"}, exitOK},
		{[]string{"help"}, exitOK},
		{[]string{"serve", "--log-level", "helpme"}, exitUsage},
		{[]string{"serve", "stray"}, exitUsage},
		{[]string{"org", "create", "--slug", "acme"}, exitUsage},
	}
	for _, c := range cases {
		var out, errOut syncBuffer
		if code := run(context.Background(), c.args, envFrom(nil), strings.NewReader(""), &out, &errOut); code != c.code {
			t.Errorf("%v: exit %d, want %d (stderr %q)", c.args, code, c.code, errOut.String())
		}
	}
}

// fakeAPI answers POST /api/v1/orgs with what the handler says and records the request body.
func fakeAPI(t *testing.T, status int, answer string) (*httptest.Server, *map[string]any) {
	t.Helper()
	got := map[string]any{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/orgs" || r.Header.Get("Authorization") != "Bearer rk_test" {
			t.Errorf("request %s %s auth %q", r.Method, r.URL.Path, r.Header.Get("Authorization"))
		}
		_ = json.NewDecoder(r.Body).Decode(&got)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, answer)
	}))
	t.Cleanup(srv.Close)
	return srv, &got
}

func TestOrgCreateSendsSeatLimitOnlyWhenGiven(t *testing.T) {
	created := `{"org":{"id":"o1","slug":"acme","name":"Acme Inc","plan":"pro","seatLimit":20},"owner":{"id":"m1","email":"alice@acme.com"}}`
	for _, seats := range []string{"", "7"} {
		srv, got := fakeAPI(t, 201, created)
		args := []string{"org", "create", "--slug", "acme", "--name", "Acme Inc", "--owner", "alice@acme.com", "--url", srv.URL}
		if seats != "" {
			args = append(args, "--seats", seats)
		}
		var out, errOut syncBuffer
		code := run(context.Background(), args, envFrom(map[string]string{"ROLLCALL_TOKEN": "rk_test"}), strings.NewReader(""), &out, &errOut)
		if code != 0 || !strings.Contains(out.String(), "Created org acme") {
			t.Fatalf("org create: %d %s %s", code, out.String(), errOut.String())
		}
		limit, sent := (*got)["seatLimit"]
		if (*got)["slug"] != "acme" || (*got)["ownerEmail"] != "alice@acme.com" || sent != (seats != "") || (sent && limit != 7.0) {
			t.Errorf("--seats %q: body %v", seats, *got)
		}
	}
}

func TestClientErrorIsOneLine(t *testing.T) {
	srv, _ := fakeAPI(t, 409, `{"error":{"code":"conflict","message":"An org with slug acme\nalready exists.","field":"slug"}}`)
	var out, errOut syncBuffer
	code := run(context.Background(), []string{"org", "create", "--slug", "acme", "--name", "A", "--owner", "a@acme.com"},
		envFrom(map[string]string{"ROLLCALL_URL": srv.URL, "ROLLCALL_TOKEN": "rk_test"}), strings.NewReader(""), &out, &errOut)
	want := "rollcall org create: An org with slug acme already exists. (conflict, field slug)\n"
	if code != exitFailure || errOut.String() != want {
		t.Fatalf("exit %d, stderr %q; want 1 and %q", code, errOut.String(), want)
	}
}

// started is a real server started by run() on a random port.
type started struct {
	url, key string
	cancel   context.CancelFunc
	code     chan int
	stdout   *syncBuffer
	stderr   *syncBuffer
}

var listening = regexp.MustCompile(`listening on (http://[0-9.:]+)`)
var operatorKey = regexp.MustCompile(`\n  (rk_[A-Za-z0-9_-]+)\n`)

func startServe(t *testing.T, env map[string]string, args ...string) *started {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &started{cancel: cancel, code: make(chan int, 1), stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	stderr := s.stderr
	go func() {
		s.code <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), envFrom(env), strings.NewReader(""), s.stdout, stderr)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := listening.FindStringSubmatch(s.stdout.String()); m != nil {
			s.url = m[1]
			if k := operatorKey.FindStringSubmatch(s.stdout.String()); k != nil {
				s.key = k[1]
			}
			return s
		}
		select {
		case code := <-s.code:
			t.Fatalf("serve exited %d: %s", code, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("serve did not start: %s", stderr.String())
	return nil
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// bearerGet GETs url with a bearer token and returns the status, headers and body.
func bearerGet(t *testing.T, url, token string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(body)
}

func cli(t *testing.T, s *started, token string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut syncBuffer
	code := run(context.Background(), args, envFrom(map[string]string{"ROLLCALL_URL": s.url, "ROLLCALL_TOKEN": token}), strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestQuickStart follows the README: start on SQLite, read the printed key, create an org with
// the CLI, use it, and stop with SIGTERM.
func TestQuickStart(t *testing.T) {
	s := startServe(t, nil, "--data-dir", t.TempDir())
	if s.key == "" {
		t.Fatalf("the first start must print the operator key: %s", s.stdout.String())
	}
	if !strings.Contains(s.stdout.String(), "org create --slug acme") {
		t.Fatalf("the start message must say how to create an org: %s", s.stdout.String())
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		if code, body := httpGet(t, s.url+path); code != 200 {
			t.Fatalf("%s: %d %s", path, code, body)
		}
	}
	code, out, errOut := cli(t, s, s.key, "org", "create", "--slug", "acme", "--name", "Acme Inc", "--owner", "alice@acme.com", "--plan", "pro")
	if code != 0 || !strings.Contains(out, "Created org acme") || !strings.Contains(out, "seats 20") {
		t.Fatalf("org create: %d %s %s", code, out, errOut)
	}
	if code, _, errOut := cli(t, s, s.key, "org", "create", "--slug", "acme", "--name", "Again", "--owner", "bob@acme.com"); code != 1 || !strings.Contains(errOut, "already exists") {
		t.Fatalf("duplicate org: %d %s", code, errOut)
	}
	if code, out, _ := cli(t, s, s.key, "member", "add", "acme", "bob@acme.com", "--role", "admin"); code != 0 || !strings.Contains(out, "role admin") {
		t.Fatalf("member add: %d %s", code, out)
	}
	code, csv, _ := cli(t, s, s.key, "member", "list", "acme", "--csv")
	if code != 0 || !strings.HasPrefix(csv, "id,email,firstName,lastName,isAdmin,hasSeat,role,status,source,joinedAt,lastActiveAt\n") || strings.Count(csv, "\n") != 3 {
		t.Fatalf("member list --csv: %d %q", code, csv)
	}
	if code, out, _ := cli(t, s, s.key, "seats", "acme"); code != 0 || !strings.Contains(out, "2 / 20") {
		t.Fatalf("seats: %d %s", code, out)
	}
	if code, _, errOut := cli(t, s, "rk_wrong-key-000000", "org", "list"); code != 1 || !strings.Contains(errOut, "unauthorized") {
		t.Fatalf("wrong key: %d %s", code, errOut)
	}
	code, out, errOut = cli(t, s, s.key, "scim", "token", "create", "acme", "Okta")
	scimToken := regexp.MustCompile(`scim_[A-Za-z0-9_-]+`).FindString(out)
	if code != 0 || scimToken == "" || !strings.Contains(out, s.url+"/scim/v2") {
		t.Fatalf("scim token create: %d %s %s", code, out, errOut)
	}
	status, _, body := bearerGet(t, s.url+"/scim/v2/Users?startIndex=1&count=2", scimToken)
	if status != 200 || !strings.Contains(body, "urn:ietf:params:scim:api:messages:2.0:ListResponse") {
		t.Fatalf("SCIM test connection through the real server: %d %s", status, body)
	}
	req, _ := http.NewRequest("POST", s.url+"/scim/v2/Users", strings.NewReader(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"carol@acme.com"}`))
	req.Header.Set("Authorization", "Bearer "+scimToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 201 || !strings.HasPrefix(res.Header.Get("Location"), s.url+"/scim/v2/Users/") {
		t.Fatalf("SCIM create through the real server: %d, Location %q", res.StatusCode, res.Header.Get("Location"))
	}
	if code, body := httpGet(t, s.url+"/metrics"); code != 200 || !strings.Contains(body, `route="/api/v1/orgs/{org}/members/export"`) {
		t.Fatalf("metrics by route: %d", code)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-s.code:
		if code != 0 {
			t.Fatalf("serve exited %d after SIGTERM", code)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop after SIGTERM")
	}
}

// TestReadinessOnPostgres starts on a fresh Postgres database, then drops the database: /readyz
// must turn 503 while /healthz stays 200.
func TestReadinessOnPostgres(t *testing.T) {
	dbURL := storetest.PostgresURL(t)
	s := startServe(t, map[string]string{"ROLLCALL_DATABASE_URL": dbURL, "ROLLCALL_OPERATOR_KEY": "configured-operator-key"})
	defer func() { s.cancel(); <-s.code }()
	if s.key != "" {
		t.Fatal("a configured operator key must not be replaced by a generated one")
	}
	if code, _ := httpGet(t, s.url+"/readyz"); code != 200 {
		t.Fatalf("readyz on postgres: %d", code)
	}
	if code, out, errOut := cli(t, s, "configured-operator-key", "org", "create", "--slug", "acme", "--name", "Acme", "--owner", "a@acme.com"); code != 0 {
		t.Fatalf("org create: %s %s", out, errOut)
	}
	_, out, _ := cli(t, s, "configured-operator-key", "scim", "token", "create", "acme", "Okta")
	scimToken := regexp.MustCompile(`scim_[A-Za-z0-9_-]+`).FindString(out)
	admin := os.Getenv("ROLLCALL_TEST_POSTGRES_URL")
	if admin == "" {
		admin = storetest.DefaultPostgresURL
	}
	conn, err := pgx.Connect(context.Background(), admin)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	name := dbURL[strings.LastIndex(dbURL, "/")+1:]
	if i := strings.Index(name, "?"); i >= 0 {
		name = name[:i]
	}
	if _, err := conn.Exec(context.Background(), "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
		t.Fatal(err)
	}
	if code, body := httpGet(t, s.url+"/readyz"); code != 503 || !strings.Contains(body, "database") {
		t.Fatalf("readyz with the database gone: %d %s", code, body)
	}
	if code, _ := httpGet(t, s.url+"/healthz"); code != 200 {
		t.Fatalf("healthz: %d", code)
	}
	for i := range 20 {
		status, header, body := bearerGet(t, s.url+"/api/v1/orgs", "configured-operator-key")
		if status != 503 || header.Get("Retry-After") == "" || !strings.Contains(body, `"unavailable"`) {
			t.Fatalf("API call %d with the database gone: %d %q %s", i, status, header.Get("Retry-After"), body)
		}
	}
	status, header, body := bearerGet(t, s.url+"/scim/v2/Users", scimToken)
	if status != 503 || header.Get("Retry-After") == "" || !strings.Contains(body, "urn:ietf:params:scim:api:messages:2.0:Error") || !strings.Contains(body, `"503"`) {
		t.Fatalf("SCIM with the database gone: %d %q %s", status, header.Get("Retry-After"), body)
	}
	// The outage line is throttled for the whole process (httperr.TestLogFailure checks that one
	// is logged); here: not one per request.
	if n := strings.Count(s.stderr.String(), "database unavailable"); n > 2 {
		t.Fatalf("an outage of 20 requests logged %d lines about it, want at most one per interval:\n%s", n, s.stderr.String())
	}
	if n := strings.Count(s.stderr.String(), "level=ERROR"); n != 0 {
		t.Fatalf("an outage logged %d errors:\n%s", n, s.stderr.String())
	}
}
