package storetest

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// ClockOffsetEnv names the environment variable that moves every test clock away from the real
// time, to prove the suite passes on any date: "400d" (days) or a Go duration such as "-72h".
const ClockOffsetEnv = "ROLLCALL_TEST_CLOCK_OFFSET"

// Clock is a settable test clock. It starts at the real time (moved by ClockOffsetEnv), so
// components that read the real clock, such as cookie jars, agree with it unless a test
// advances it past them on purpose.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock at the current time, truncated to the microsecond both stores keep,
// plus the offset ClockOffsetEnv asks for.
func NewClock(t testing.TB) *Clock {
	t.Helper()
	offset, err := ClockOffset()
	if err != nil {
		t.Fatal(err)
	}
	return &Clock{t: time.Now().UTC().Add(offset).Truncate(time.Microsecond)}
}

// ClockOffset reads ClockOffsetEnv: zero when unset.
func ClockOffset() (time.Duration, error) {
	v := strings.TrimSpace(os.Getenv(ClockOffsetEnv))
	if v == "" {
		return 0, nil
	}
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return 0, &offsetError{v}
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, &offsetError{v}
	}
	return d, nil
}

type offsetError struct{ value string }

func (e *offsetError) Error() string {
	return ClockOffsetEnv + "=" + strconv.Quote(e.value) + `: want days ("400d") or a Go duration ("-72h")`
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// AdvanceTo moves the clock to the next moment of the day that is hour:min UTC (tomorrow's if
// that moment has passed today), for tests of daily windows.
func (c *Clock) AdvanceTo(hour, min int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	next := time.Date(c.t.Year(), c.t.Month(), c.t.Day(), hour, min, 0, 0, time.UTC)
	if !next.After(c.t) {
		next = next.AddDate(0, 0, 1)
	}
	c.t = next
}
