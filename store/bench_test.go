package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/store/storetest"
)

// BenchmarkIntrospect measures the gateway's hot path, one introspection (token, member, org,
// rate decision, counters) in one transaction, on both stores: one token called 2 times a
// second against the default 120 a minute (the window stays full), one at 1,000 a second
// against 100,000 a minute, and parallel callers with a token each.
func BenchmarkIntrospect(b *testing.B) {
	stores := []struct {
		name string
		open storetest.Opener
	}{
		{"sqlite", func(t testing.TB) provisioning.Store { return storetest.OpenSQLite(t) }},
		{"postgres", func(t testing.TB) provisioning.Store { return storetest.OpenPostgres(t) }},
	}
	for _, s := range stores {
		b.Run(s.name, func(b *testing.B) {
			h := storetest.NewHarness(b, s.open(b))
			o := h.CreateOrg("bench", -1, "owner@bench.example")
			b.Run("120-per-minute", func(b *testing.B) { benchOne(b, h, o, 120, 500*time.Millisecond) })
			b.Run("100k-per-minute", func(b *testing.B) { benchOne(b, h, o, 100_000, time.Millisecond) })
			b.Run("parallel-tokens", func(b *testing.B) { benchParallel(b, h, o) })
		})
	}
}

func benchToken(b *testing.B, h *storetest.Harness, o provisioning.OrgWithOwner, perMinute int) string {
	b.Helper()
	tok, err := h.Service.CreateToken(h.Ctx, h.MemberActor(o.Owner.Membership), o.Org.ID, "bench",
		provisioning.TokenLimits{RateLimitPerMinute: &perMinute})
	if err != nil {
		b.Fatal(err)
	}
	return tok.Secret
}

func benchOne(b *testing.B, h *storetest.Harness, o provisioning.OrgWithOwner, perMinute int, every time.Duration) {
	secret := benchToken(b, h, o, perMinute)
	refused := 0
	for b.Loop() {
		h.Clock.Advance(every)
		r, err := h.Service.Introspect(h.Ctx, provisioning.Operator(), secret)
		if err != nil || !r.Active {
			b.Fatalf("introspect: %v %+v", err, r)
		}
		if !r.RateLimit.Allowed {
			refused++
		}
	}
	b.ReportMetric(float64(refused)/float64(b.N), "refused/op")
}

func benchParallel(b *testing.B, h *storetest.Harness, o provisioning.OrgWithOwner) {
	secrets := make(chan string, 64)
	for range cap(secrets) {
		secrets <- benchToken(b, h, o, 100_000)
	}
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		secret := <-secrets
		defer func() { secrets <- secret }()
		for pb.Next() {
			if _, err := h.Service.Introspect(h.Ctx, provisioning.Operator(), secret); err != nil {
				panic(fmt.Sprint("introspect: ", err))
			}
		}
	})
}
