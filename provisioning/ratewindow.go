package provisioning

import (
	"sort"
	"time"
)

// RateSpan is the span of a member token's rate limit: the limit counts the calls allowed in
// the 60 seconds before each call, not in a calendar minute.
const RateSpan = time.Minute

// exactCalls is the per-minute limit up to which a RateWindow keeps every call's time exactly.
const exactCalls = 256

// rateTick is what a window rounds call times up to above exactCalls calls a minute.
const rateTick = int64(RateSpan/time.Microsecond) / exactCalls

// RateWindow is a member token's sliding minute: the calls it allowed in the last RateSpan,
// as entries of a time and a number of calls, oldest first. A call is allowed only while fewer
// calls than the limit were allowed in the RateSpan before it, so no 60-second span ever holds
// more allowed calls than the limit, whatever the calls' timing.
//
// Up to exactCalls calls a minute every call keeps its time (rounded up to the microsecond) and
// the window is exact: it refuses a call only when the limit would be broken. Above, times are
// rounded up to ticks of RateSpan/exactCalls, so a call may be counted up to one tick (234 ms)
// longer than it happened: the window then refuses slightly early, never lets more through, and
// its size stays bounded (about 2*exactCalls entries) for any limit.
type RateWindow struct {
	entries []rateEntry
}

// rateEntry is calls allowed at one time, in microseconds since the Unix epoch.
type rateEntry struct {
	at    int64
	calls int64
}

// ceilMicros is t in microseconds since the Unix epoch, rounded up: a call is never recorded
// earlier than it happened.
func ceilMicros(t time.Time) int64 {
	us := t.UnixMicro()
	if time.UnixMicro(us).Before(t) {
		us++
	}
	return us
}

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// counted returns the entries the window counts at now: those after now-RateSpan. Entries later
// than now (a call rounded up to its tick, or recorded by an instance whose clock runs ahead)
// are counted too.
func (w RateWindow) counted(now time.Time) []rateEntry {
	// An entry's whole microsecond is after the cutoff exactly when it is after the cutoff's
	// microsecond rounded down.
	cutoff := now.Add(-RateSpan).UnixMicro()
	i := sort.Search(len(w.entries), func(i int) bool { return w.entries[i].at > cutoff })
	return w.entries[i:]
}

// Count returns the calls the window counts at now.
func (w RateWindow) Count(now time.Time) int64 {
	var n int64
	for _, e := range w.counted(now) {
		n += e.calls
	}
	return n
}

// Allow records a call at now and reports true when the window counts fewer than limit calls
// at now; otherwise it changes nothing and reports false. Entries that no longer count are
// dropped. A call is never recorded before the newest entry, so the entries stay in order even
// when instances' clocks disagree.
func (w *RateWindow) Allow(now time.Time, limit int) bool {
	kept := w.counted(now)
	var n int64
	for _, e := range kept {
		n += e.calls
	}
	if n >= int64(limit) {
		return false
	}
	at := ceilMicros(now)
	if last := len(kept) - 1; last >= 0 {
		at = max(at, kept[last].at)
	}
	if limit > exactCalls {
		at = (at + rateTick - 1) / rateTick * rateTick
	}
	entries := append(make([]rateEntry, 0, len(kept)+1), kept...)
	if last := len(entries) - 1; last >= 0 && entries[last].at == at {
		entries[last].calls++
	} else {
		entries = append(entries, rateEntry{at: at, calls: 1})
	}
	w.entries = entries
	return true
}

// FreeAt returns the first moment at or after now when the window will count fewer than n
// calls, if no call is allowed before: when the oldest calls that must go leave the window. With
// n the limit, it is when a call will be allowed again; with n the current count, when the
// count next drops.
func (w RateWindow) FreeAt(now time.Time, n int64) time.Time {
	kept := w.counted(now)
	var total int64
	for _, e := range kept {
		total += e.calls
	}
	if total < n {
		return now
	}
	for _, e := range kept {
		if total -= e.calls; total < n {
			return fromMicros(e.at).Add(RateSpan)
		}
	}
	return now
}
