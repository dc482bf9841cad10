package outbox

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/rollcall/rollcall/httperr"
	"github.com/rollcall/rollcall/provisioning"
)

// deliverBatch sends a claimed batch, lane by lane with up to Concurrency lanes at once, and
// records the outcomes in one transaction, even when ctx ends mid-send, so a delivered message
// is not sent twice. An ordered deliverer has one lane per org (its messages in claim order);
// otherwise each message is its own lane. It returns how many messages were sent.
func (w *Worker) deliverBatch(ctx context.Context, items []provisioning.OutboxItem, claimed time.Time) (int, error) {
	if len(items) == 0 {
		return 0, nil
	}
	lanes := w.lanes(items)
	st := &settler{w: w, flushAfter: claimed.Add(w.o.Lease / 2)}
	next := make(chan []int)
	var wg sync.WaitGroup
	for range min(w.o.Concurrency, len(lanes)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for lane := range next {
				w.deliverLane(ctx, items, lane, claimed, st)
			}
		}()
	}
	for _, lane := range lanes {
		next <- lane
	}
	close(next)
	wg.Wait()
	st.flush(ctx)
	return st.sent, st.err
}

// settler collects a batch's outcomes and records them together at the end of the batch. Once
// half the claim's lease is over it records each outcome as it comes, so an outcome is always
// recorded before the lease of its message ends.
type settler struct {
	w          *Worker
	flushAfter time.Time
	mu         sync.Mutex
	pending    []provisioning.OutboxSettlement
	sent       int
	err        error
}

func (st *settler) add(ctx context.Context, s provisioning.OutboxSettlement) {
	st.mu.Lock()
	st.pending = append(st.pending, s)
	st.mu.Unlock()
	if st.w.svc.Now().After(st.flushAfter) {
		st.flush(ctx)
	}
}

// flush records the collected outcomes in one statement.
func (st *settler) flush(ctx context.Context) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if len(st.pending) == 0 {
		return
	}
	ctx = context.WithoutCancel(ctx)
	err := st.w.svc.OutboxDoor().Update(ctx, func(tx provisioning.OutboxTxn) error {
		_, err := tx.SettleOutbox(ctx, st.pending)
		return err
	})
	if err != nil {
		st.err = errors.Join(st.err, err)
		return
	}
	for _, s := range st.pending {
		if s.State == provisioning.OutboxSent {
			st.sent++
		}
	}
	st.pending = st.pending[:0]
}

// lanes groups the indexes of items into the sequences that must be sent in order: by org for
// an ordered deliverer, by a Laned deliverer's lane, else each message alone.
func (w *Worker) lanes(items []provisioning.OutboxItem) [][]int {
	var lanes [][]int
	byKey := map[string]int{}
	laned, _ := w.d.(Laned)
	for i, it := range items {
		var key string
		switch {
		case w.ordered:
			key = it.OrgID
		case laned != nil:
			key = laned.Lane(it)
		default:
			lanes = append(lanes, []int{i})
			continue
		}
		l, ok := byKey[key]
		if !ok {
			l = len(lanes)
			byKey[key] = l
			lanes = append(lanes, nil)
		}
		lanes[l] = append(lanes[l], i)
	}
	return lanes
}

// deliverLane sends a lane's messages in order and writes each outcome into out. After a failed
// send, or once ctx ends, the lane's remaining messages are released unsent: due again at once,
// their attempt not counted (an ordered claim holds them back behind the failed one).
func (w *Worker) deliverLane(ctx context.Context, items []provisioning.OutboxItem, lane []int, claimed time.Time, st *settler) {
	stop := false
	for _, i := range lane {
		it := items[i]
		if stop || ctx.Err() != nil {
			st.add(ctx, provisioning.OutboxSettlement{ID: it.ID, Attempt: it.Attempts, State: provisioning.OutboxPending, Released: true})
			continue
		}
		s, held := w.deliver(ctx, it, claimed)
		if !held { // another worker sends it, and then the lane's later messages
			stop = true
			continue
		}
		st.add(ctx, s)
		stop = s.State != provisioning.OutboxSent
	}
}

// deliver sends one claimed message and returns its outcome. When less than half of the
// claim's lease is left (the batch's earlier sends took it), the lease is renewed first; if
// another worker claimed the message meanwhile it may be sending it, and the message is skipped
// (held is false).
func (w *Worker) deliver(ctx context.Context, it provisioning.OutboxItem, claimed time.Time) (s provisioning.OutboxSettlement, held bool) {
	if now := w.svc.Now(); claimed.Add(w.o.Lease / 2).Before(now) {
		err := w.svc.OutboxDoor().Update(ctx, func(tx provisioning.OutboxTxn) error {
			var err error
			held, err = tx.RenewOutbox(ctx, it.ID, it.Attempts, now.Add(w.o.Lease))
			return err
		})
		if err != nil {
			httperr.LogFailure(ctx, w.o.Logger, "outbox lease renewal failed", err, "kind", it.Kind, "id", it.ID)
		}
		if !held {
			return s, false
		}
	}
	keep, err := w.d.Deliver(ctx, it)
	s = provisioning.OutboxSettlement{ID: it.ID, Attempt: it.Attempts, At: w.svc.Now()}
	if err == nil {
		s.State, s.Payload = provisioning.OutboxSent, keep
		return s, true
	}
	s.LastError = truncate(err.Error(), 500)
	if it.Attempts >= w.o.MaxAttempts {
		w.o.Logger.ErrorContext(ctx, "outbox message failed for good", "kind", it.Kind, "id", it.ID, "topic", it.Topic, "attempts", it.Attempts, "err", s.LastError)
		s.State = provisioning.OutboxFailed
		return s, true
	}
	w.o.Logger.WarnContext(ctx, "outbox delivery failed; will retry", "kind", it.Kind, "id", it.ID, "attempt", it.Attempts, "err", s.LastError)
	s.State, s.At = provisioning.OutboxPending, s.At.Add(w.backoff(it.Attempts))
	return s, true
}

// Purge deletes sent messages of the worker's kind older than Retention, PurgeBatch rows per
// transaction, and returns how many; with no Retention it keeps everything.
func (w *Worker) Purge(ctx context.Context) (int64, error) {
	if w.o.Retention <= 0 {
		return 0, nil
	}
	before := w.svc.Now().Add(-w.o.Retention)
	var total int64
	for ctx.Err() == nil {
		var n int64
		err := w.svc.OutboxDoor().Update(ctx, func(tx provisioning.OutboxTxn) error {
			var err error
			n, err = tx.PurgeOutbox(ctx, w.d.Kind(), before, w.o.PurgeBatch)
			return err
		})
		total += n
		if err != nil || n < int64(w.o.PurgeBatch) {
			return total, err
		}
	}
	return total, ctx.Err()
}
