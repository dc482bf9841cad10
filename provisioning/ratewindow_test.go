package provisioning

import (
	"math/rand/v2"
	"testing"
	"time"
)

// randomCalls returns n call times from start, in order, for a limit: bursts at one instant,
// drizzles of close calls, gaps from a nanosecond to over a minute, and calls landing a minute
// after earlier ones, exactly or within microseconds.
func randomCalls(rng *rand.Rand, start time.Time, n, limit int) []time.Time {
	out := make([]time.Time, 0, n)
	at := start
	for len(out) < n {
		switch rng.IntN(8) {
		case 0:
			for range rng.IntN(limit/2 + 2) {
				out = append(out, at)
			}
		case 4:
			for range rng.IntN(limit + 2) {
				at = at.Add(time.Duration(rng.Int64N(int64(50 * time.Millisecond))))
				out = append(out, at)
			}
		case 1:
			at = at.Add(time.Duration(rng.Int64N(int64(90 * time.Second))))
		case 2:
			if len(out) > 0 {
				near := out[rng.IntN(len(out))].Add(RateSpan + time.Duration(rng.Int64N(4000)-2000))
				if near.After(at) {
					at = near
				}
			}
		case 3:
			if len(out) > 0 {
				if later := out[rng.IntN(len(out))].Add(RateSpan); later.After(at) {
					at = later
				}
			}
		default:
			at = at.Add(time.Duration(rng.Int64N(int64(2 * time.Second))))
		}
		out = append(out, at)
	}
	return out[:n]
}

// countIn counts the times in (from, to].
func countIn(times []time.Time, from, to time.Time) int {
	n := 0
	for _, t := range times {
		if t.After(from) && !t.After(to) {
			n++
		}
	}
	return n
}

// TestRateWindowNeverExceeds replays random call patterns through a window (encoded and decoded
// between calls, as the store keeps it) and checks every decision: no allowed call ever makes a
// 60-second span hold more than the limit; up to exactCalls a minute the window refuses only
// when the limit would be broken within a microsecond; above, within one tick; and a refused
// call's FreeAt is the moment a call is allowed again.
func TestRateWindowNeverExceeds(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2030, 1, 1, 23, 59, 30, 0, time.UTC)
	for _, limit := range []int{1, 3, 10, 120, exactCalls, exactCalls + 1, 1000} {
		for trial := range min(20, max(3, 3000/limit)) {
			var w RateWindow
			var allowed []time.Time
			for _, at := range randomCalls(rng, start, 6*limit+200, limit) {
				var b []byte
				b, _ = w.MarshalBinary()
				if err := w.UnmarshalBinary(b); err != nil {
					t.Fatal(err)
				}
				if len(w.entries) > 2*exactCalls+2 {
					t.Fatalf("limit %d: %d entries", limit, len(w.entries))
				}
				before := w
				ok := w.Allow(at, limit)
				exact := countIn(allowed, at.Add(-RateSpan), at) < limit
				slack := time.Microsecond
				if limit > exactCalls {
					slack = time.Duration(rateTick) * time.Microsecond
				}
				nearly := countIn(allowed, at.Add(-RateSpan-slack), at) < limit
				switch {
				case ok && !exact:
					t.Fatalf("limit %d trial %d: allowed a call at %s over the limit", limit, trial, at)
				case !ok && nearly:
					t.Fatalf("limit %d trial %d: refused a call at %s that the limit allows", limit, trial, at)
				case ok:
					allowed = append(allowed, at)
				default:
					checkFreeAt(t, before, at, limit)
				}
			}
		}
	}
}

// checkFreeAt checks that w refuses a call a microsecond before FreeAt and allows one at it.
func checkFreeAt(t *testing.T, w RateWindow, at time.Time, limit int) {
	t.Helper()
	free := w.FreeAt(at, int64(limit))
	early, onTime := w, w
	if !free.After(at) || early.Allow(free.Add(-time.Microsecond), limit) || !onTime.Allow(free, limit) {
		t.Fatalf("limit %d: refused at %s, FreeAt %s is not the moment a call is allowed again", limit, at, free)
	}
}

func TestRateWindowRejectsBadEncodings(t *testing.T) {
	var w RateWindow
	w.Allow(time.Now(), 5)
	good, _ := w.MarshalBinary()
	for name, b := range map[string][]byte{
		"format":    append([]byte{9}, good[1:]...),
		"truncated": good[:len(good)-1],
		"no calls":  {rateWindowFormat, 1, 0},
		"unordered": {rateWindowFormat, 1, 1, 0, 1},
	} {
		if err := w.UnmarshalBinary(b); err == nil {
			t.Errorf("%s: %x decoded", name, b)
		}
	}
	if err := w.UnmarshalBinary(nil); err != nil || w.Count(time.Now()) != 0 {
		t.Fatalf("nil: %v", err)
	}
}

// BenchmarkRateWindowFull measures what one introspection adds in the process: decoding a full
// window (256 exact entries, the most an exact window holds), one Allow and encoding it again.
func BenchmarkRateWindowFull(b *testing.B) {
	at := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	var w RateWindow
	for range exactCalls {
		at = at.Add(RateSpan / exactCalls)
		w.Allow(at, exactCalls)
	}
	enc, _ := w.MarshalBinary()
	b.ReportMetric(float64(len(enc)), "bytes-stored")
	for b.Loop() {
		at = at.Add(RateSpan / exactCalls)
		var w RateWindow
		if err := w.UnmarshalBinary(enc); err != nil || !w.Allow(at, exactCalls) {
			b.Fatal("refused", err)
		}
		enc, _ = w.MarshalBinary()
	}
}
