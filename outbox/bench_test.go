package outbox_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/rollcall/rollcall/outbox"
	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/store/storetest"
)

// noop accepts every message at once.
type noop struct{ kind string }

func (d noop) Kind() string { return d.kind }

func (noop) Deliver(context.Context, provisioning.OutboxItem) ([]byte, error) { return nil, nil }

// BenchmarkOutboxDrain drains a backlog of 20,000 pending webhooks spread over 50 orgs (the
// state a large SCIM push leaves) with a deliverer that accepts at once, on each store, and
// reports messages delivered per second.
func BenchmarkOutboxDrain(b *testing.B) {
	const backlog, orgs = 20000, 50
	for _, be := range storetest.Backends() {
		b.Run(be.Name, func(b *testing.B) {
			h := storetest.NewHarness(b, be.Open(b))
			w := outbox.NewWorker(h.Service, noop{provisioning.OutboxWebhook}, outbox.Options{})
			var total int
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				enqueue(b, h, backlog, orgs)
				b.StartTimer()
				n, err := w.DeliverDue(h.Ctx)
				if err != nil {
					b.Fatal(err)
				}
				if n != backlog {
					b.Fatalf("delivered %d of %d", n, backlog)
				}
				total += n
			}
			b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}

// enqueue writes n pending webhooks round-robin over orgs, 1,000 per transaction.
func enqueue(b *testing.B, h *storetest.Harness, n, orgs int) {
	for start := 0; start < n; start += 1000 {
		h.Tx(func(tx provisioning.StoreTx) error {
			for i := start; i < min(start+1000, n); i++ {
				if err := tx.EnqueueOutbox(h.Ctx, provisioning.OutboxMessage{ID: provisioning.NewID(), OrgID: fmt.Sprintf("org%d", i%orgs),
					Kind: provisioning.OutboxWebhook, Topic: "member.joined", Payload: []byte(`{"n":1}`), CreatedAt: h.Clock.Now()}); err != nil {
					return err
				}
			}
			return nil
		})
	}
}
