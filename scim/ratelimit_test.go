package scim_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/scim"
	"github.com/rollcall/rollcall/store/storetest"
)

// TestReadsDoNotWrite: after the first request of a minute, GETs write neither the org's shared
// rate count (answered from this instance's lease) nor the token's last use (written at most
// every 30 s).
func TestReadsDoNotWrite(t *testing.T) {
	each(t, func(t *testing.T, b storetest.Backend) {
		e := newEnv(t, b, -1, scim.Options{RateLimitPerMinute: 800})
		owner := e.h.MemberActor(e.org.Owner.Membership)
		lastUsed := func() time.Time {
			toks, err := e.svc.ListTokens(e.h.Ctx, owner, e.org.Org.ID)
			if err != nil || len(toks) != 1 || toks[0].LastUsedAt == nil {
				t.Fatalf("tokens: %v %+v", err, toks)
			}
			return *toks[0].LastUsedAt
		}
		e.want(e.do("GET", "/Users", ""), 200, "first")
		first := lastUsed()
		e.h.Clock.Advance(10 * time.Second)
		for range 20 {
			e.want(e.do("GET", "/Users?filter=userName%20eq%20%22x%22", ""), 200, "read")
		}
		if got := lastUsed(); !got.Equal(first) {
			t.Fatalf("reads within 30 s moved last use from %v to %v", first, got)
		}
		// One lease of 800/8 requests was taken for all 21 requests: the count is 100, and
		// taking one more here makes it 101.
		window, _ := provisioning.FixedWindow(e.h.Clock.Now(), time.Minute)
		e.h.Tx(func(tx provisioning.StoreTx) error {
			took, count, err := tx.TakeDirectoryRate(e.h.Ctx, e.org.Org.ID, window, 1, 800)
			if err != nil || took != 1 || count != 101 {
				t.Fatalf("shared count after 21 requests: took %d count %d %v, want 1 and 101", took, count, err)
			}
			return nil
		})
		e.h.Clock.Advance(21 * time.Second)
		e.want(e.do("GET", "/Users", ""), 200, "31 s later")
		if got := lastUsed(); !got.After(first) {
			t.Fatalf("last use not written after 31 s: %v", got)
		}
	})
}

// TestRateLimitAcrossInstances: two instances over one store, 16 concurrent callers, never let
// more than the limit through in a minute; once each drains its lease, exactly the limit went
// through. The next minute starts again.
func TestRateLimitAcrossInstances(t *testing.T) {
	each(t, func(t *testing.T, b storetest.Backend) {
		const limit = 90
		e := newEnv(t, b, -1, scim.Options{RateLimitPerMinute: limit})
		instances := []*scim.Service{e.svc, scim.New(e.h.Service, scim.Options{RateLimitPerMinute: limit})}
		var allowed atomic.Int64
		call := func(s *scim.Service) bool {
			_, retry, err := scim.Authenticate(s, e.h.Ctx, e.token)
			if err != nil {
				t.Errorf("authenticate: %v", err)
				return false
			}
			if retry == 0 {
				allowed.Add(1)
			}
			return retry == 0
		}
		var wg sync.WaitGroup
		for i := range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 10 {
					call(instances[i%2])
				}
			}()
		}
		wg.Wait()
		if n := allowed.Load(); n > limit {
			t.Fatalf("%d requests let through concurrently; the limit is %d", n, limit)
		}
		for _, s := range instances {
			for call(s) {
			}
		}
		if n := allowed.Load(); n != limit {
			t.Fatalf("%d requests let through in the minute; want exactly %d", n, limit)
		}
		e.h.Clock.Advance(time.Minute)
		if !call(instances[1]) {
			t.Fatal("refused in the next minute")
		}
	})
}
