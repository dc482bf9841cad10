package httperr_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rollcall/rollcall/httperr"
	"github.com/rollcall/rollcall/provisioning"
)

// TestLogFailure: internal errors are logged each time, an outage once per interval however many
// requests hit it, client errors never.
func TestLogFailure(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	ctx := context.Background()
	for range 100 {
		httperr.LogFailure(ctx, logger, "request failed", provisioning.Unavailable(errors.New("connection refused")))
	}
	httperr.LogFailure(ctx, logger, "request failed", provisioning.Internal(errors.New("boom")))
	httperr.LogFailure(ctx, logger, "request failed", provisioning.Internal(errors.New("boom")))
	httperr.LogFailure(ctx, logger, "request failed", provisioning.Errorf(provisioning.CodeInvalid, "bad"))
	out := buf.String()
	if n := strings.Count(out, "database unavailable"); n != 1 {
		t.Fatalf("an outage of 100 requests logged %d lines:\n%s", n, out)
	}
	if n := strings.Count(out, "boom"); n != 2 {
		t.Fatalf("internal errors logged %d times, want 2:\n%s", n, out)
	}
	if strings.Contains(out, "bad") {
		t.Fatalf("a client error was logged:\n%s", out)
	}
	h := http.Header{}
	httperr.SetRetryAfter(h, provisioning.CodeUnavailable)
	if h.Get("Retry-After") != httperr.UnavailableRetryAfter {
		t.Fatalf("Retry-After = %q", h.Get("Retry-After"))
	}
	h = http.Header{}
	httperr.SetRetryAfter(h, provisioning.CodeInternal)
	if h.Get("Retry-After") != "" {
		t.Fatal("Retry-After on an internal error")
	}
	h = http.Header{}
	httperr.SetRetryAfterFor(h, provisioning.Unavailable(errors.New("gone")))
	if h.Get("Retry-After") != httperr.UnavailableRetryAfter {
		t.Fatalf("Retry-After for the database away = %q", h.Get("Retry-After"))
	}
}

// TestRetryAfterOfRateLimits: a rate-limited error's Retry-After is its own wait in whole
// seconds rounded up; one that does not say gets none.
func TestRetryAfterOfRateLimits(t *testing.T) {
	for d, want := range map[time.Duration]string{
		14*time.Minute + 59*time.Second + time.Millisecond: "900",
		15 * time.Minute:       "900",
		time.Second:            "1",
		time.Millisecond:       "1",
		59*time.Second + 1:     "60",
		61*time.Second - 1:     "61",
		2*time.Second + 999999: "3",
	} {
		h := http.Header{}
		httperr.SetRetryAfterFor(h, provisioning.RateLimited(d, "slow down"))
		if got := h.Get("Retry-After"); got != want {
			t.Errorf("wait %s: Retry-After %q, want %q", d, got, want)
		}
	}
	h := http.Header{}
	httperr.SetRetryAfterFor(h, provisioning.Errorf(provisioning.CodeRateLimited, "slow down"))
	if h.Get("Retry-After") != "" {
		t.Fatalf("Retry-After %q invented for a limit that does not say", h.Get("Retry-After"))
	}
}
