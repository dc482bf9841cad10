package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"
)

// lockedBuffer collects log output written from the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// orgsAPI is a mounted sub-router with a route parameter, like the REST API.
func orgsAPI() http.Handler {
	r := chi.NewRouter()
	r.Get("/orgs/{org}", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, RequestID(r.Context())) })
	return r
}

func TestRequestIDReachesHandlerAndResponse(t *testing.T) {
	url, _ := start(t, &fakeDB{}, Mount{Pattern: "/api/v1", Handler: orgsAPI()})
	_, body, hdr := get(t, url+"/api/v1/orgs/acme", "X-Request-Id", "from-the-proxy.42")
	if body != "from-the-proxy.42" || hdr.Get("X-Request-Id") != body {
		t.Fatalf("incoming id: body %q, header %q", body, hdr.Get("X-Request-Id"))
	}
	_, first, hdr := get(t, url+"/api/v1/orgs/acme")
	_, second, _ := get(t, url+"/api/v1/orgs/acme")
	if len(first) < 16 || hdr.Get("X-Request-Id") != first || first == second {
		t.Fatalf("generated ids must be set, echoed and distinct: %q %q (header %q)", first, second, hdr.Get("X-Request-Id"))
	}
}

func TestAccessLogAndRouteLabels(t *testing.T) {
	var logs lockedBuffer
	s, err := New(Options{Logger: slog.New(slog.NewJSONHandler(&logs, nil)), DB: &fakeDB{},
		Mounts: []Mount{{Pattern: "/api/v1", Handler: orgsAPI()}}})
	if err != nil {
		t.Fatal(err)
	}
	url, stop := startServer(t, s)
	get(t, url+"/api/v1/orgs/acme", "X-Request-Id", "log-me")
	_, metrics, _ := get(t, url+"/metrics")
	if !strings.Contains(metrics, `rollcall_http_requests_total{method="GET",route="/api/v1/orgs/{org}",status="200"} 1`) ||
		strings.Contains(metrics, "acme") {
		t.Errorf("the route label must be the pattern, never the raw path:\n%s", metrics)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	var rec map[string]any
	for line := range strings.SplitSeq(logs.String(), "\n") {
		if strings.Contains(line, `"request_id":"log-me"`) {
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatal(err)
			}
		}
	}
	want := map[string]any{"msg": "http request", "method": "GET", "route": "/api/v1/orgs/{org}", "status": 200.0, "bytes": 6.0}
	for k, v := range want {
		if rec[k] != v {
			t.Errorf("access log %s = %v, want %v (record %v)", k, rec[k], v, rec)
		}
	}
	if _, ok := rec["duration"]; !ok {
		t.Errorf("access log lacks duration: %v", rec)
	}
}

func TestMethodNotAllowedIsJSON(t *testing.T) {
	url, _ := start(t, &fakeDB{})
	res, err := http.Post(url+"/healthz", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body struct {
		Error struct{ Code, Message string }
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || res.StatusCode != 405 || body.Error.Code != "method_not_allowed" {
		t.Fatalf("405: %d %+v %v", res.StatusCode, body, err)
	}
}

// hangingDB never answers before its context ends.
type hangingDB struct{ *fakeDB }

func (hangingDB) Ready(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }

func TestReadinessGivesUpInTime(t *testing.T) {
	url, _ := start(t, hangingDB{&fakeDB{}})
	begin := time.Now()
	code, body, _ := get(t, url+"/readyz")
	if code != 503 || !strings.Contains(body, `"status":"unavailable"`) || time.Since(begin) > 4*time.Second {
		t.Fatalf("readyz with a hanging database: %d %s after %s", code, body, time.Since(begin))
	}
}

func TestRegistryTakesOtherMetrics(t *testing.T) {
	s, err := New(Options{DB: &fakeDB{}})
	if err != nil {
		t.Fatal(err)
	}
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "rollcall_test_things_total", Help: "Things."})
	s.Registry().MustRegister(c)
	c.Add(3)
	url, _ := startServer(t, s)
	if _, metrics, _ := get(t, url+"/metrics"); !strings.Contains(metrics, "rollcall_test_things_total 3") {
		t.Fatal("a metric registered on Registry() is not served")
	}
}

func TestShutdownTimeoutCutsOffStuckRequests(t *testing.T) {
	entered, released := make(chan struct{}), make(chan struct{})
	stuck := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		select {
		case <-r.Context().Done():
			close(released)
		case <-time.After(10 * time.Second):
		}
	})
	s, err := New(Options{DB: &fakeDB{}, ShutdownTimeout: 200 * time.Millisecond, Mounts: []Mount{{Pattern: "/stuck", Handler: stuck}}})
	if err != nil {
		t.Fatal(err)
	}
	url, stop := startServer(t, s)
	go func() {
		if res, err := http.Get(url + "/stuck"); err == nil {
			res.Body.Close()
		}
	}()
	<-entered
	begin := time.Now()
	if err := stop(); err == nil || !strings.Contains(err.Error(), "cut off") {
		t.Fatalf("Run must report the cut-off request: %v", err)
	}
	if took := time.Since(begin); took > 3*time.Second {
		t.Fatalf("Run took %s to give up", took)
	}
	select {
	case <-released:
	case <-time.After(3 * time.Second):
		t.Fatal("the stuck request's connection was not closed")
	}
}
