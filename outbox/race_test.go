package outbox_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/rollcall/rollcall/outbox"
	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/store/storetest"
)

// orderedLog is an ordered deliverer that records each org's deliveries and how many of an
// org's sends were in flight at once; every fifth first attempt fails.
type orderedLog struct {
	mu       sync.Mutex
	byOrg    map[string][]string
	sent     map[string]int
	inFlight map[string]int
	overlap  int
}

func (d *orderedLog) Kind() string  { return provisioning.OutboxWebhook }
func (d *orderedLog) InOrder() bool { return true }

func (d *orderedLog) Deliver(_ context.Context, it provisioning.OutboxItem) ([]byte, error) {
	d.mu.Lock()
	d.inFlight[it.OrgID]++
	if d.inFlight[it.OrgID] > 1 {
		d.overlap++
	}
	fail := it.Attempts == 1 && len(d.byOrg[it.OrgID])%5 == 4
	if !fail {
		d.byOrg[it.OrgID] = append(d.byOrg[it.OrgID], it.ID)
		d.sent[it.ID]++
	}
	d.mu.Unlock()
	d.mu.Lock()
	d.inFlight[it.OrgID]--
	d.mu.Unlock()
	if fail {
		return nil, fmt.Errorf("refused")
	}
	return nil, nil
}

// TestRaceWorkersKeepOrgOrder: four workers drain 400 webhooks of five orgs at once, with
// failures retried: every message goes out once, each org's in id order, never two of one org
// at the same time.
func TestRaceWorkersKeepOrgOrder(t *testing.T) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			h := storetest.NewHarness(t, b.Open(t))
			const total = 400
			var ids []string
			h.Tx(func(tx provisioning.StoreTx) error {
				for i := range total {
					id := provisioning.NewID()
					ids = append(ids, id)
					if err := tx.EnqueueOutbox(h.Ctx, provisioning.OutboxMessage{ID: id, OrgID: fmt.Sprintf("org%d", i%5), Kind: provisioning.OutboxWebhook,
						Topic: "t", Payload: []byte(`{}`), CreatedAt: h.Clock.Now()}); err != nil {
						return err
					}
				}
				return nil
			})
			d := &orderedLog{byOrg: map[string][]string{}, sent: map[string]int{}, inFlight: map[string]int{}}
			// Retries are due at once (a backoff shorter than the clock's step), so the drain ends.
			opts := outbox.Options{Batch: 7, Concurrency: 3, BaseBackoff: 1, MaxBackoff: 1}
			var wg sync.WaitGroup
			for range 4 {
				w := outbox.NewWorker(h.Service, d, opts)
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range 200 {
						if _, err := w.DeliverDue(h.Ctx); err != nil {
							t.Error(err)
							return
						}
						d.mu.Lock()
						done := len(d.sent) == total
						d.mu.Unlock()
						if done {
							return
						}
						h.Clock.Advance(1000)
					}
				}()
			}
			wg.Wait()
			if len(d.sent) != total || d.overlap != 0 {
				t.Fatalf("%d of %d messages sent, %d overlapping sends of one org", len(d.sent), total, d.overlap)
			}
			for id, n := range d.sent {
				if n != 1 {
					t.Errorf("%s sent %d times", id, n)
				}
			}
			for org, got := range d.byOrg {
				for i := 1; i < len(got); i++ {
					if got[i-1] >= got[i] {
						t.Fatalf("%s: %s delivered before %s", org, got[i-1], got[i])
					}
				}
			}
		})
	}
}
