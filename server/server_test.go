package server

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

type fakeDB struct{ err error }

func (f *fakeDB) Ready(context.Context) error { return f.err }
func (f *fakeDB) PoolStats() PoolStats        { return PoolStats{MaxOpen: 4, Open: 2, InUse: 1, Idle: 1} }

// start runs a server with the given mounts on a random port and returns its URL and stop, which
// cancels the context and returns Run's error (once; later calls return the same).
func start(t *testing.T, db Database, mounts ...Mount) (string, func() error) {
	t.Helper()
	s, err := New(Options{DB: db, Mounts: mounts, ShutdownTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return startServer(t, s)
}

func startServer(t *testing.T, s *Server) (string, func() error) {
	t.Helper()
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, ln) }()
	var once sync.Once
	var runErr error
	stop := func() error {
		once.Do(func() { cancel(); runErr = <-done })
		return runErr
	}
	t.Cleanup(func() { _ = stop() })
	return "http://" + ln.Addr().String(), stop
}

func get(t *testing.T, url string, hdr ...string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res.Header
}

func TestHealthReadinessMetrics(t *testing.T) {
	db := &fakeDB{}
	panicky := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })
	url, _ := start(t, db, Mount{Pattern: "/boom", Handler: panicky})
	if code, body, _ := get(t, url+"/healthz"); code != 200 || !strings.Contains(body, "ok") {
		t.Fatalf("healthz: %d %s", code, body)
	}
	if code, _, _ := get(t, url+"/readyz"); code != 200 {
		t.Fatalf("readyz: %d", code)
	}
	db.err = errors.New("database unreachable: dial tcp 10.0.0.1:5432: secret details")
	code, body, _ := get(t, url+"/readyz")
	if code != 503 || !strings.Contains(body, "database unreachable") || strings.Contains(body, "secret") {
		t.Fatalf("readyz with the database gone: %d %s", code, body)
	}
	if code, body, hdr := get(t, url+"/nope", "X-Request-Id", "abc-123"); code != 404 || !strings.Contains(body, `"not_found"`) || hdr.Get("X-Request-Id") != "abc-123" {
		t.Fatalf("404: %d %s %v", code, body, hdr)
	}
	if _, _, hdr := get(t, url+"/healthz", "X-Request-Id", "bad id with spaces"); hdr.Get("X-Request-Id") == "" || strings.Contains(hdr.Get("X-Request-Id"), " ") {
		t.Fatalf("an insane request id must be replaced: %q", hdr.Get("X-Request-Id"))
	}
	if code, body, _ := get(t, url+"/boom"); code != 500 || !strings.Contains(body, "Internal error.") || strings.Contains(body, "boom") {
		t.Fatalf("panic: %d %s", code, body)
	}
	_, metrics, _ := get(t, url+"/metrics")
	for _, want := range []string{`rollcall_http_requests_total{method="GET",route="/healthz",status="200"} 2`,
		`rollcall_http_requests_total{method="GET",route="/readyz",status="503"} 1`,
		`rollcall_http_request_duration_seconds_bucket{method="GET",route="/readyz"`,
		`route="unmatched"`, "rollcall_db_pool_open_connections 2", "go_goroutines"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestGracefulShutdownFinishesInFlight(t *testing.T) {
	entered := make(chan struct{})
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		time.Sleep(500 * time.Millisecond)
		io.WriteString(w, "finished")
	})
	url, stop := start(t, &fakeDB{}, Mount{Pattern: "/slow", Handler: slow})
	result := make(chan string, 1)
	go func() {
		res, err := http.Get(url + "/slow")
		if err != nil {
			result <- err.Error()
			return
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		result <- res.Status + " " + string(b)
	}()
	<-entered
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	if got := <-result; got != "200 OK finished" {
		t.Fatalf("in-flight request: %s", got)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if _, err := net.DialTimeout("tcp", strings.TrimPrefix(url, "http://"), time.Second); err == nil {
		t.Fatal("new connections still accepted after shutdown")
	}
}

func TestListenReportsAddressInUse(t *testing.T) {
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, err = Listen(ln.Addr().String())
	if err == nil || !strings.Contains(err.Error(), "already in use") {
		t.Fatalf("got %v", err)
	}
}
