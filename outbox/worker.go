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
	// the original (an email without its one-time link); nil keeps the payload.
	Deliver(ctx context.Context, it provisioning.OutboxItem) (keep []byte, err error)
}

// Options tune delivery.
type Options struct {
	// MaxAttempts is how many deliveries are tried before a mail is marked failed (default 8).
	MaxAttempts int
	// BaseBackoff is the wait after the first failure, doubling after each (default 30s), capped
	// at MaxBackoff (default 1h).
	BaseBackoff time.Duration
	MaxBackoff  time.Duration
	// Lease is how long a claimed mail stays hidden from other workers while it is sent (default
	// 2m; each message's lease starts again just before its own send, so it must only outlast
	// one send); a worker that dies mid-send leaves it to be retried after that.
	Lease time.Duration
	// Batch is how many mails one claim takes (default 20).
	Batch int
	// PollInterval is how often Run looks for due mail (default 2s).
	PollInterval time.Duration
	Logger       *slog.Logger
}

// Worker delivers one kind of message from the outbox. Any number of workers, on any number of
// instances, may run at once: each claim takes different rows.
type Worker struct {
	svc *provisioning.Service
	d   Deliverer
	o   Options
}

// NewWorker builds a worker that sends with d, using the core's store and clock.
func NewWorker(svc *provisioning.Service, d Deliverer, o Options) *Worker {
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 8
	}
	if o.BaseBackoff <= 0 {
		o.BaseBackoff = 30 * time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = time.Hour
	}
	if o.Lease <= 0 {
		o.Lease = 2 * time.Minute
	}
	if o.Batch <= 0 {
		o.Batch = 20
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 2 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Worker{svc: svc, d: d, o: o}
}

// Run delivers due mail every PollInterval until ctx ends.
func (w *Worker) Run(ctx context.Context) error {
	t := time.NewTicker(w.o.PollInterval)
	defer t.Stop()
	for {
		if _, err := w.DeliverDue(ctx); err != nil && ctx.Err() == nil {
			httperr.LogFailure(ctx, w.o.Logger, "outbox delivery pass failed", err, "kind", w.d.Kind())
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// DeliverDue claims and sends every message due now, batch after batch, and returns how many
// were sent. Failed sends are rescheduled with backoff, or marked failed after the last attempt.
func (w *Worker) DeliverDue(ctx context.Context) (int, error) {
	sent := 0
	for ctx.Err() == nil {
		var items []provisioning.OutboxItem
		err := w.svc.OutboxDoor().Update(ctx, func(tx provisioning.OutboxTxn) error {
			var err error
			items, err = tx.ClaimOutbox(ctx, w.d.Kind(), w.svc.Now(), w.o.Lease, w.o.Batch)
			return err
		})
		if err != nil {
			return sent, err
		}
		for _, it := range items {
			ok, err := w.deliver(ctx, it)
			if err != nil {
				return sent, err
			}
			if ok {
				sent++
			}
		}
		if len(items) < w.o.Batch {
			break
		}
	}
	return sent, nil
}

// deliver sends one claimed message and settles its row. Its lease is renewed first: the batch's
// earlier sends may have outlasted the claim's lease, and then another worker may hold (and be
// sending) the message, which is skipped here.
func (w *Worker) deliver(ctx context.Context, it provisioning.OutboxItem) (bool, error) {
	var held bool
	err := w.svc.OutboxDoor().Update(ctx, func(tx provisioning.OutboxTxn) error {
		var err error
		held, err = tx.RenewOutbox(ctx, it.ID, it.Attempts, w.svc.Now().Add(w.o.Lease))
		return err
	})
	if err != nil || !held {
		return false, err
	}
	keep, sendErr := w.d.Deliver(ctx, it)
	// Settle even when ctx ends mid-send, so a delivered message is not sent twice.
	ctx = context.WithoutCancel(ctx)
	return sendErr == nil, w.svc.OutboxDoor().Update(ctx, func(tx provisioning.OutboxTxn) error {
		now := w.svc.Now()
		if sendErr == nil {
			if keep == nil {
				keep = it.Payload
			}
			return tx.CompleteOutbox(ctx, it.ID, now, keep)
		}
		msg := truncate(sendErr.Error(), 500)
		if it.Attempts >= w.o.MaxAttempts {
			w.o.Logger.ErrorContext(ctx, "outbox message failed for good", "kind", it.Kind, "id", it.ID, "topic", it.Topic, "attempts", it.Attempts, "err", msg)
			return tx.FailOutbox(ctx, it.ID, msg)
		}
		w.o.Logger.WarnContext(ctx, "outbox delivery failed; will retry", "kind", it.Kind, "id", it.ID, "attempt", it.Attempts, "err", msg)
		return tx.RetryOutbox(ctx, it.ID, now.Add(w.backoff(it.Attempts)), msg)
	})
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
