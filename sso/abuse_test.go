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
