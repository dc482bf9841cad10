package httperr

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

// UnavailableRetryAfter is the Retry-After, in seconds, of an answer that the database is away.
const UnavailableRetryAfter = "5"

// SetRetryAfter sets Retry-After on an answer for code when the client should come back later
// and the code alone says when: the database away. Transports that have the error use
// SetRetryAfterFor, which also answers rate limits.
func SetRetryAfter(h http.Header, code provisioning.Code) {
	if code == provisioning.CodeUnavailable {
		h.Set("Retry-After", UnavailableRetryAfter)
	}
}

// SetRetryAfterFor sets Retry-After on an answer for err: the database away (see SetRetryAfter),
// or a rate limit, with the time the limit itself says it lets the request through
// (provisioning.ErrorRetryAfter).
func SetRetryAfterFor(h http.Header, err error) {
	if d := provisioning.ErrorRetryAfter(err); d > 0 {
		h.Set("Retry-After", RetryAfterSeconds(d))
		return
	}
	SetRetryAfter(h, provisioning.ErrorCode(err))
}

// RetryAfterSeconds is d as a Retry-After value: whole seconds rounded up, so a client that
// waits that long is not refused again by the same limit, and at least 1.
func RetryAfterSeconds(d time.Duration) string {
	return strconv.FormatInt(max(1, int64((d+time.Second-1)/time.Second)), 10)
}

// outageLogEvery is how often a transport logs that the database is away while it stays away.
const outageLogEvery = 10 * time.Second

// outages counts, for the whole process, the requests that found the database away since the
// last line logged about it, so an outage logs one line per interval instead of one per request.
var outages struct {
	sync.Mutex
	last       time.Time
	suppressed int
}

// LogFailure logs a request or background pass that failed on the server's side: an internal error every time (with
// attrs, which must hold no secret), the database being away at most once per interval for the
// whole process, with how many such failures the interval saw. Client errors are not logged.
func LogFailure(ctx context.Context, logger *slog.Logger, msg string, err error, attrs ...any) {
	switch provisioning.ErrorCode(err) {
	case provisioning.CodeInternal:
		logger.ErrorContext(ctx, msg, append([]any{"err", err}, attrs...)...)
	case provisioning.CodeUnavailable:
		outages.Lock()
		now := time.Now()
		if now.Sub(outages.last) < outageLogEvery {
			outages.suppressed++
			outages.Unlock()
			return
		}
		n := outages.suppressed
		outages.last, outages.suppressed = now, 0
		outages.Unlock()
		logger.WarnContext(ctx, "database unavailable: answering 503 until it is back", "err", err, "suppressed_since_last_line", n)
	}
}
