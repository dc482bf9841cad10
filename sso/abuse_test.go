package sso_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rollcall/rollcall/sso"
)

// syncWriter is a log sink tests read while the server writes.
type syncWriter struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

var refPattern = regexp.MustCompile(`id="ref">([^<]+)<`)

// TestSSOCallbackFlood: bogus OIDC callbacks from one address are answered 429 past the
// per-address limit, and the failures they cause are audited together (the 1st, 10th, 100th)
// instead of one row each. Every error page shows a reference that the log line and, for an
// audited failure, the audit row carry.
func TestSSOCallbackFlood(t *testing.T) {
	logs := &syncWriter{}
	e := newEnvWith(t, onSQLite, func(o *sso.Options) {
		o.FailureAuditWindow, o.RateLimitPerIP = sso.DefaultFailureAuditWindow, 100
		o.Logger = slog.New(slog.NewTextHandler(logs, nil))
	})
	op := newTestOP(t)
	conn := e.connection(map[string]any{"protocol": "oidc", "issuer": op.srv.URL, "clientId": opClientID, "clientSecret": opClientSecret})
	callback := conn.OIDC.RedirectURL + "?state=rcf_bogus&code=bogus"
	var refs []string
	statuses := map[int]int{}
	b := newBrowser(t)
	for range 120 {
		p := b.get(callback)
		statuses[p.status]++
		if m := refPattern.FindStringSubmatch(p.body); m != nil {
			refs = append(refs, m[1])
		} else {
			t.Fatalf("an error page without a reference: %d %s", p.status, p.body)
		}
		if p.status == http.StatusTooManyRequests && p.header.Get("Retry-After") == "" {
			t.Fatal("429 without Retry-After")
		}
	}
	if statuses[http.StatusTooManyRequests] != 20 || statuses[http.StatusTooManyRequests]+statuses[http.StatusForbidden]+statuses[http.StatusGone]+statuses[http.StatusBadRequest] != 120 {
		t.Fatalf("answers: %v", statuses)
	}
	failures := e.audits("sso.sign_in_failed")
	if len(failures) != 3 || !strings.Contains(failures[0].Reason, "[100 such failures in 10m0s]") ||
		!strings.Contains(failures[1].Reason, "[10 such failures") {
		t.Fatalf("%d failure rows for 100 bogus callbacks: %+v", len(failures), failures)
	}
	if first := failures[2]; !strings.Contains(first.Reason, "[ref "+refs[0]+"]") {
		t.Fatalf("the first failure's row %q lacks the page's reference %s", first.Reason, refs[0])
	}
	if !strings.Contains(logs.String(), "ref="+refs[57]) || strings.Count(logs.String(), "sso sign-in refused") != 100 {
		t.Fatalf("log lines do not carry the page references")
	}
}

// TestSSOPerConnectionLimit: requests for one connection from many addresses are bounded too.
func TestSSOPerConnectionLimit(t *testing.T) {
	e := newEnvWith(t, onSQLite, func(o *sso.Options) { o.RateLimitPerConnection = 5 })
	op := newTestOP(t)
	conn := e.connection(map[string]any{"protocol": "oidc", "issuer": op.srv.URL, "clientId": opClientID, "clientSecret": opClientSecret})
	h := e.sso.Handler()
	path := strings.TrimPrefix(conn.OIDC.RedirectURL, e.srv.URL+sso.MountPath) + "?state=rcf_x&code=y"
	var limited int
	for i := range 8 {
		req := httptest.NewRequest("GET", path, nil)
		req.RemoteAddr = "198.51.100." + string(rune('1'+i)) + ":4000"
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited != 3 {
		t.Fatalf("%d of 8 requests from 8 addresses limited, want 3", limited)
	}
}

// TestSSOPerClientLimitIPv6: the per-client limit counts an IPv6 /64 as one client (and an
// IPv4-mapped address as its IPv4 address), and its 429 says in Retry-After when the minute ends.
func TestSSOPerClientLimitIPv6(t *testing.T) {
	e := newEnvWith(t, onSQLite, func(o *sso.Options) { o.RateLimitPerIP = 3 })
	op := newTestOP(t)
	conn := e.connection(map[string]any{"protocol": "oidc", "issuer": op.srv.URL, "clientId": opClientID, "clientSecret": opClientSecret})
	h := e.sso.Handler()
	path := strings.TrimPrefix(conn.OIDC.RedirectURL, e.srv.URL+sso.MountPath) + "?state=rcf_x&code=y"
	now := e.h.Clock.Now()
	e.h.Clock.Advance(now.Truncate(time.Minute).Add(time.Minute + 12*time.Second).Sub(now))
	send := func(remote string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		req.RemoteAddr = remote
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	for _, remote := range []string{"[2001:db8:7:7::1]:4000", "[2001:db8:7:7:ffff::2]:4001", "[2001:db8:7:7:1234:5678:9abc:def0]:4002"} {
		if rec := send(remote); rec.Code == http.StatusTooManyRequests {
			t.Fatalf("%s limited within the limit", remote)
		}
	}
	rec := send("[2001:db8:7:7::99]:4003")
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "48" {
		t.Fatalf("fourth request from one /64: %d, Retry-After %q, want 429 and 48 (the seconds left in the minute)", rec.Code, rec.Header().Get("Retry-After"))
	}
	if rec := send("[2001:db8:7:8::1]:4000"); rec.Code == http.StatusTooManyRequests {
		t.Fatal("the next /64 shares the limit")
	}
	for _, remote := range []string{"192.0.2.1:1", "[::ffff:192.0.2.1]:2", "192.0.2.1:3"} {
		send(remote)
	}
	if rec := send("192.0.2.1:4"); rec.Code != http.StatusTooManyRequests {
		t.Fatalf("an IPv4 client over IPv4 and IPv4-mapped IPv6: %d", rec.Code)
	}
	if rec := send("192.0.2.2:1"); rec.Code == http.StatusTooManyRequests {
		t.Fatal("another IPv4 address shares the limit")
	}
}
