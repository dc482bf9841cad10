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

// OutboxTx claims and settles outbox messages for delivery workers.
type OutboxTx interface {
	// ClaimOutbox takes up to limit pending messages of kind due at now, counts an attempt on
	// each and hides them from other workers until now+lease, so a worker can deliver outside
	// the transaction and a crashed worker's messages come back. Concurrent claimers never get
	// the same message (FOR UPDATE SKIP LOCKED on Postgres; one writer on SQLite).
	ClaimOutbox(ctx context.Context, kind string, now time.Time, lease time.Duration, limit int) ([]OutboxItem, error)
	// RenewOutbox extends a claimed message's lease to until, if the claim that counted attempt
	// still holds it (no other worker claimed it since); it reports whether it did.
	RenewOutbox(ctx context.Context, id string, attempt int, until time.Time) (bool, error)
	// CompleteOutbox marks a message sent and replaces its payload (to drop secrets it carried).
	CompleteOutbox(ctx context.Context, id string, at time.Time, payload json.RawMessage) error
	// RetryOutbox schedules another attempt at next, keeping the error.
	RetryOutbox(ctx context.Context, id string, next time.Time, lastError string) error
	// FailOutbox gives up on a message after its last attempt; it stays in the table.
	FailOutbox(ctx context.Context, id string, lastError string) error
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
