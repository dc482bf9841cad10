package scim

import (
	"context"
	"sync"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

// The per-directory rate limit (Options.RateLimitPerMinute) counts each org's requests in fixed
// minutes, in one shared row per org (scim_rate), so it holds across instances. A request does
// not write that row: each instance takes a lease of several requests from it at once and
// answers from the lease in memory until it is spent. The shared count is the sum of the leases
// taken and never passes the limit, so the instances together never let more than the limit
// through in a minute, exactly. What an instance leased and did not use by the end of the
// minute is lost for that minute, so with several instances a directory can be refused a little
// before the limit: by at most the unused leases, each at most an eighth of what the instance
// last saw left (and maxLease), one request once fewer than eight are left. One instance alone
// is exact both ways.

// maxLease bounds a lease: the requests an instance takes from the shared count at once.
const maxLease = 256

// leaseShare is the share of the requests left in the minute that one lease takes.
const leaseShare = 8

// rateLeases is this instance's leases, one per org, of the current minute.
type rateLeases struct {
	mu   sync.Mutex
	orgs map[string]*lease
}

// lease is what an instance holds of an org's minute: left requests it may let through, and
// whether the shared count is spent (every request is then refused until the minute ends).
type lease struct {
	window time.Time
	left   int
	// count is the shared count as of the last lease, which sizes the next one.
	count int
	spent bool
}

// take lets one request of the org through at now when the limit allows it; otherwise it
// returns how long until the next minute.
func (s *Service) take(ctx context.Context, orgID string, now time.Time) (retryAfter time.Duration, err error) {
	if retryAfter, held := s.takeHeld(orgID, now); held {
		return retryAfter, nil
	}
	limit := s.opts.RateLimitPerMinute
	window, end := provisioning.FixedWindow(now, time.Minute)
	refused := max(time.Second, end.Sub(now))
	r := &s.leases
	r.mu.Lock()
	l := r.current(orgID, window)
	want := min(maxLease, max(1, (limit-l.count)/leaseShare))
	r.mu.Unlock()

	var got, count int
	err = s.door().Update(ctx, func(tx provisioning.DirectoryTxn) error {
		if err := tx.CountersOnly(ctx); err != nil {
			return err
		}
		var err error
		got, count, err = tx.TakeDirectoryRate(ctx, orgID, window, want, limit)
		return err
	})
	if err != nil {
		return 0, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if held := r.orgs[orgID]; held == nil || !held.window.Equal(window) {
		// Another request moved the lease to a later minute meanwhile: this one was decided
		// in its own minute, and the rest of what it took is of no use in the next.
		if got == 0 {
			return refused, nil
		}
		return 0, nil
	}
	l = r.orgs[orgID]
	if got == 0 {
		l.spent = true
		return refused, nil
	}
	l.count = max(l.count, count)
	l.left += got - 1
	return 0, nil
}

// takeHeld decides a request of the org at now from what this instance holds, without the
// database: held is false when the lease is used up and the shared count is not known to be
// spent, so a new lease is to be taken (take). Otherwise retryAfter > 0 refuses the request.
func (s *Service) takeHeld(orgID string, now time.Time) (retryAfter time.Duration, held bool) {
	window, end := provisioning.FixedWindow(now, time.Minute)
	r := &s.leases
	r.mu.Lock()
	defer r.mu.Unlock()
	l := r.current(orgID, window)
	if l.left > 0 {
		l.left--
		return 0, true
	}
	if l.spent {
		return max(time.Second, end.Sub(now)), true
	}
	return 0, false
}

// current returns the org's lease of window, a fresh one if the one held is of an earlier
// minute. Leases of past minutes are dropped when the map grows. Called with mu held.
func (r *rateLeases) current(orgID string, window time.Time) *lease {
	if r.orgs == nil {
		r.orgs = map[string]*lease{}
	}
	l, ok := r.orgs[orgID]
	if ok && l.window.Equal(window) {
		return l
	}
	if len(r.orgs) >= 1024 {
		for id, old := range r.orgs {
			if !old.window.Equal(window) {
				delete(r.orgs, id)
			}
		}
	}
	l = &lease{window: window}
	r.orgs[orgID] = l
	return l
}
