package sqlstore

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

const outboxColumns = `id, org_id, kind, topic, payload, created_at, state, attempts, next_attempt_at,
	last_error, sent_at`

func scanOutbox(r Rows, m *provisioning.OutboxItem) error {
	var payload string
	if err := r.Scan(&m.ID, &m.OrgID, &m.Kind, &m.Topic, &payload, timeValue{&m.CreatedAt}, &m.State,
		&m.Attempts, timeValue{&m.NextAttemptAt}, &m.LastError, nullTimeValue{&m.SentAt}); err != nil {
		return err
	}
	m.Payload = json.RawMessage(payload)
	return nil
}

func (t *Tx) listOutbox(ctx context.Context, query string, args []any) ([]provisioning.OutboxItem, error) {
	var out []provisioning.OutboxItem
	err := t.queryRows(ctx, query, args, func(r Rows) error {
		var m provisioning.OutboxItem
		if err := scanOutbox(r, &m); err != nil {
			return err
		}
		out = append(out, m)
		return nil
	})
	return out, err
}

// ClaimOutbox takes due pending messages of kind, skipping rows other workers hold, counts an
// attempt on each and leases them until now+lease.
func (t *Tx) ClaimOutbox(ctx context.Context, kind string, now time.Time, lease time.Duration, limit int) ([]provisioning.OutboxItem, error) {
	items, err := t.listOutbox(ctx, `SELECT `+outboxColumns+` FROM outbox
		WHERE kind = $1 AND state = 'pending' AND next_attempt_at <= $2
		ORDER BY next_attempt_at, id LIMIT $3`+t.d.SkipLocked(), []any{kind, utc(now), limit})
	if err != nil {
		return nil, err
	}
	until := utc(now.Add(lease))
	for i := range items {
		if _, err := t.exec(ctx, "outbox message", `UPDATE outbox SET attempts = attempts + 1,
			next_attempt_at = $2 WHERE id = $1`, items[i].ID, until); err != nil {
			return nil, err
		}
		items[i].Attempts++
		items[i].NextAttemptAt = until
	}
	return items, nil
}

// RenewOutbox extends the lease of a message still held by the claim that counted attempt.
func (t *Tx) RenewOutbox(ctx context.Context, id string, attempt int, until time.Time) (bool, error) {
	n, err := t.exec(ctx, "outbox message", `UPDATE outbox SET next_attempt_at = $3
		WHERE id = $1 AND attempts = $2 AND state = 'pending'`, id, attempt, utc(until))
	return n == 1, err
}

// CompleteOutbox marks a message sent and replaces its payload.
func (t *Tx) CompleteOutbox(ctx context.Context, id string, at time.Time, payload json.RawMessage) error {
	n, err := t.exec(ctx, "outbox message", `UPDATE outbox SET state = 'sent', sent_at = $2, payload = $3,
		last_error = '' WHERE id = $1`, id, utc(at), string(payload))
	if err != nil {
		return err
	}
	return mustAffect(n, "outbox message")
}

// RetryOutbox schedules another attempt.
func (t *Tx) RetryOutbox(ctx context.Context, id string, next time.Time, lastError string) error {
	n, err := t.exec(ctx, "outbox message", `UPDATE outbox SET next_attempt_at = $2, last_error = $3
		WHERE id = $1 AND state = 'pending'`, id, utc(next), lastError)
	if err != nil {
		return err
	}
	return mustAffect(n, "outbox message")
}

// FailOutbox gives up on a message; the row stays.
func (t *Tx) FailOutbox(ctx context.Context, id string, lastError string) error {
	n, err := t.exec(ctx, "outbox message", `UPDATE outbox SET state = 'failed', last_error = $2
		WHERE id = $1 AND state = 'pending'`, id, lastError)
	if err != nil {
		return err
	}
	return mustAffect(n, "outbox message")
}

// ListOutbox lists outbox messages matching q, oldest first.
func (t *Tx) ListOutbox(ctx context.Context, q provisioning.OutboxQuery) ([]provisioning.OutboxItem, error) {
	b := &sqlBuilder{}
	b.add("1 = 1")
	for col, v := range map[string]string{"kind": q.Kind, "state": string(q.State), "org_id": q.OrgID} {
		if v != "" {
			b.add(col + " = " + b.arg(v))
		}
	}
	order := ` ORDER BY created_at, id`
	if q.Newest {
		order = ` ORDER BY created_at DESC, id DESC`
	}
	query := `SELECT ` + outboxColumns + ` FROM outbox WHERE ` + strings.Join(b.where, " AND ") + order
	if q.Limit > 0 {
		query += " LIMIT " + b.arg(q.Limit)
	}
	return t.listOutbox(ctx, query, b.args)
}

// RequeueOutbox makes a failed message pending again with its attempts counted from zero.
func (t *Tx) RequeueOutbox(ctx context.Context, id, kind string, now time.Time) (provisioning.OutboxItem, error) {
	var m provisioning.OutboxItem
	err := t.queryOne(ctx, "failed delivery", `UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = $3
		WHERE id = $1 AND kind = $2 AND state = 'failed' RETURNING `+outboxColumns,
		[]any{id, kind, utc(now)}, func(r Rows) error { return scanOutbox(r, &m) })
	return m, err
}
