// Package outbox delivers outgoing messages (emails, webhooks) that the core wrote in the same
// transaction as the change that caused them. Workers on any number of instances claim due rows
// without blocking one another, retry failures with backoff and mark a message failed after the
// last attempt without deleting it.
package outbox

import (
	"context"
	"log/slog"
	"time"

	"github.com/rollcall/rollcall/httperr"
	"github.com/rollcall/rollcall/provisioning"
)

// Deliverer sends one kind of outbox message.
type Deliverer interface {
	// Kind is the outbox kind this deliverer sends (provisioning.OutboxEmail, OutboxWebhook).
	Kind() string
	// Deliver sends one message. On success it may return a smaller payload to keep instead of
	// the original (an email without its one-time link); nil keeps the payload. It may be called
	// from several goroutines at once.
	Deliver(ctx context.Context, it provisioning.OutboxItem) (keep []byte, err error)
}

// Ordered is implemented by a Deliverer whose messages of one org must arrive in order
// (webhooks): they are sent one after another, by one worker at a time, and a failed one holds
// back the org's later messages until it is sent or given up on. Other orgs' messages go out
// meanwhile.
type Ordered interface {
	InOrder() bool
}

// Laned is implemented by a Deliverer whose messages with the same lane (an email's recipient)
// go out one after another, in claim order, within a batch; lanes are sent concurrently.
type Laned interface {
	Lane(it provisioning.OutboxItem) string
}

// Options tune delivery.
type Options struct {
	// MaxAttempts is how many deliveries are tried before a mail is marked failed (default 8).
	MaxAttempts int
	// BaseBackoff is the wait after the first failure, doubling after each (default 30s), capped
	// at MaxBackoff (default 1h).
	BaseBackoff time.Duration
	MaxBackoff  time.Duration
	// Lease is how long a claimed message stays hidden from other workers while it is sent
	// (default 2m). A message whose claim has less than half of it left is renewed just before
	// its own send, so half the lease must outlast one send; a worker that dies mid-send leaves
	// it to be retried after that.
	Lease time.Duration
	// Batch is how many messages one claim takes (default 100); their outcomes are recorded in
	// one statement.
	Batch int
	// Concurrency is how many sends of a batch are in flight at once (default 8); an ordered
	// deliverer's messages of one org are sent one at a time.
	Concurrency int
	// PollInterval is how often Run looks for due mail (default 2s).
	PollInterval time.Duration
	// Retention is how long sent messages are kept before Run purges them; 0 keeps them
	// forever. Failed messages are never purged.
	Retention time.Duration
	// PurgeInterval is how often Run purges (default 10m), PurgeBatch how many rows one purge
	// transaction deletes (default 500).
	PurgeInterval time.Duration
	PurgeBatch    int
	Logger        *slog.Logger
}

// Worker delivers one kind of message from the outbox. Any number of workers, on any number of
// instances, may run at once: each claim takes different rows.
type Worker struct {
	svc     *provisioning.Service
	d       Deliverer
	o       Options
	ordered bool
}

// NewWorker builds a worker that sends with d, using the core's store and clock.
func NewWorker(svc *provisioning.Service, d Deliverer, o Options) *Worker {
	o.MaxAttempts = orDefault(o.MaxAttempts, 8)
	o.BaseBackoff = orDefault(o.BaseBackoff, 30*time.Second)
	o.MaxBackoff = orDefault(o.MaxBackoff, time.Hour)
	o.Lease = orDefault(o.Lease, 2*time.Minute)
	o.Batch = orDefault(o.Batch, 100)
	o.Concurrency = orDefault(o.Concurrency, 8)
	o.PollInterval = orDefault(o.PollInterval, 2*time.Second)
	o.PurgeInterval = orDefault(o.PurgeInterval, 10*time.Minute)
	o.PurgeBatch = orDefault(o.PurgeBatch, 500)
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	ord, ok := d.(Ordered)
	return &Worker{svc: svc, d: d, o: o, ordered: ok && ord.InOrder()}
}

func orDefault[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// Run delivers due mail every PollInterval, and purges sent mail past the retention every
// PurgeInterval, until ctx ends.
func (w *Worker) Run(ctx context.Context) error {
	t := time.NewTicker(w.o.PollInterval)
	defer t.Stop()
	purge := time.NewTicker(w.o.PurgeInterval)
	defer purge.Stop()
	for {
		if _, err := w.DeliverDue(ctx); err != nil && ctx.Err() == nil {
			httperr.LogFailure(ctx, w.o.Logger, "outbox delivery pass failed", err, "kind", w.d.Kind())
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-purge.C:
			if _, err := w.Purge(ctx); err != nil && ctx.Err() == nil {
				httperr.LogFailure(ctx, w.o.Logger, "outbox purge failed", err, "kind", w.d.Kind())
			}
		}
	}
}

// DeliverDue claims and sends every message due now, batch after batch, and returns how many
// were sent. Failed sends are rescheduled with backoff, or marked failed after the last attempt.
func (w *Worker) DeliverDue(ctx context.Context) (int, error) {
	sent := 0
	for ctx.Err() == nil {
		claimed := w.svc.Now()
		var items []provisioning.OutboxItem
		err := w.svc.OutboxDoor().Update(ctx, func(tx provisioning.OutboxTxn) error {
			var err error
			items, err = tx.ClaimOutbox(ctx, provisioning.OutboxClaim{Kind: w.d.Kind(), Now: claimed,
				Lease: w.o.Lease, Limit: w.o.Batch, Ordered: w.ordered})
			return err
		})
		if err != nil {
			return sent, err
		}
		n, err := w.deliverBatch(ctx, items, claimed)
		sent += n
		if err != nil || len(items) < w.o.Batch {
			return sent, err
		}
	}
	return sent, nil
}

// backoff is BaseBackoff doubled per earlier attempt, capped at MaxBackoff.
func (w *Worker) backoff(attempt int) time.Duration {
	d := w.o.BaseBackoff
	for i := 1; i < attempt && d < w.o.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, w.o.MaxBackoff)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
