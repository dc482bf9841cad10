package provisioning

import (
	"context"
	"encoding/json"
	"time"
)

// OutboxState is where an outgoing message stands.
type OutboxState string

// Outbox states: pending until delivered (sent) or given up on after the last attempt (failed).
// Failed messages are kept, never deleted.
const (
	OutboxPending OutboxState = "pending"
	OutboxSent    OutboxState = "sent"
	OutboxFailed  OutboxState = "failed"
)

// OutboxItem is an outbox message with its delivery state.
type OutboxItem struct {
	OutboxMessage
	State         OutboxState `json:"state"`
	Attempts      int         `json:"attempts"`
	NextAttemptAt time.Time   `json:"nextAttemptAt"`
	LastError     string      `json:"lastError,omitempty"`
	SentAt        *time.Time  `json:"sentAt,omitempty"`
}

// OutboxQuery filters outbox messages; empty fields match everything.
type OutboxQuery struct {
	Kind  string
	State OutboxState
	OrgID string
	Limit int
	// Newest lists the newest messages first (default: oldest first).
	Newest bool
}

// OutboxClaim asks for due messages of one kind.
type OutboxClaim struct {
	Kind string
	// Now is the claim's time: messages due at or before it are taken, and leased until
	// Now+Lease.
	Now   time.Time
	Lease time.Duration
	Limit int
	// Ordered keeps each org's messages in order (webhooks): a message is taken only when no
	// earlier message of its org is still pending and due after it (leased to a worker, or
	// waiting for a retry), so one org's messages are never in flight at two workers at once.
	Ordered bool
}

// OutboxSettlement is how one claimed message's delivery attempt ended.
type OutboxSettlement struct {
	ID string
	// Attempt is the attempt count of the claim; a message claimed again since is left alone.
	Attempt int
	// State is sent, pending (another attempt at At) or failed (for good).
	State OutboxState
	// At is when a sent message went out, or when a pending one is due again.
	At time.Time
	// Payload, when set, replaces the payload of a sent message (to drop secrets it carried).
	Payload json.RawMessage
	// LastError is the error of a failed attempt.
	LastError string
	// Released says the attempt never started (the worker stopped, or an earlier message of
	// the same org failed): the attempt is not counted, the last error is kept and the message
	// is due again from its creation time (At is ignored), so it keeps its place in the queue.
	Released bool
}

// OutboxTx claims and settles outbox messages for delivery workers.
type OutboxTx interface {
	// ClaimOutbox takes up to c.Limit pending messages of c.Kind due at c.Now, oldest due first,
	// counts an attempt on each and hides them from other workers until c.Now+c.Lease, so a
	// worker can deliver outside the transaction and a crashed worker's messages come back.
	// Concurrent claimers never get the same message (FOR UPDATE SKIP LOCKED on Postgres; one
	// writer on SQLite).
	ClaimOutbox(ctx context.Context, c OutboxClaim) ([]OutboxItem, error)
	// RenewOutbox extends a claimed message's lease to until, if the claim that counted attempt
	// still holds it (no other worker claimed it since); it reports whether it did.
	RenewOutbox(ctx context.Context, id string, attempt int, until time.Time) (bool, error)
	// SettleOutbox records the outcome of a batch of claimed messages in one statement; a
	// message whose claim no longer holds (claimed again, requeued) is skipped. It returns how
	// many it settled.
	SettleOutbox(ctx context.Context, s []OutboxSettlement) (int, error)
	// CompleteOutbox marks a message sent and replaces its payload (to drop secrets it carried).
	CompleteOutbox(ctx context.Context, id string, at time.Time, payload json.RawMessage) error
	// RetryOutbox schedules another attempt at next, keeping the error.
	RetryOutbox(ctx context.Context, id string, next time.Time, lastError string) error
	// FailOutbox gives up on a message after its last attempt; it stays in the table.
	FailOutbox(ctx context.Context, id string, lastError string) error
	// PurgeOutbox deletes up to limit messages of kind sent before before, oldest first, and
	// returns how many. Pending and failed messages are never purged.
	PurgeOutbox(ctx context.Context, kind string, before time.Time, limit int) (int64, error)
	ListOutbox(ctx context.Context, q OutboxQuery) ([]OutboxItem, error)
	// RequeueOutbox makes a failed message of kind pending again, due at now with no attempts
	// counted, and returns it; a message that is not failed (or not of kind) is not_found.
	RequeueOutbox(ctx context.Context, id, kind string, now time.Time) (OutboxItem, error)
}

// RateLimitTx keeps fixed-window counters in the database, so every instance shares them.
type RateLimitTx interface {
	// HitRateLimit counts one hit on key in the window of length window containing now (see
	// FixedWindow) and returns the hits in that window including this one.
	HitRateLimit(ctx context.Context, key string, window time.Duration, now time.Time) (int, error)
	// CountersOnly declares that the transaction writes only counters (rate-limit hits, last
	// used times) that a crash may lose: its commit does not wait for the disk.
	CountersOnly(ctx context.Context) error
}
