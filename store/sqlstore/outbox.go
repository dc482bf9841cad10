package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
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

// ClaimOutbox takes due pending messages of a kind in one statement, walking the partial index
// of pending messages in (next_attempt_at, id) order, skipping rows other workers hold, counts
// an attempt on each and leases them until now+lease. An ordered claim first takes a lock per
// kind on Postgres, so that its statement sees the leases of the claim before it (SQLite has
// one writer).
func (t *Tx) ClaimOutbox(ctx context.Context, c provisioning.OutboxClaim) ([]provisioning.OutboxItem, error) {
	lane := ""
	if c.Ordered {
		// OFFSET 0 keeps the check a subplan Postgres runs per candidate through the index (as
		// an anti join, with stale statistics, it once scanned every pending row per candidate).
		fence := ""
		if t.d.Dialect() == "postgres" {
			fence = " OFFSET 0"
			if _, err := t.exec(ctx, "outbox claim lock", `SELECT pg_advisory_xact_lock(hashtext('outbox:' || $1))`, c.Kind); err != nil {
				return nil, err
			}
		}
		lane = ` AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.kind = o.kind AND p.state = 'pending'
			AND p.org_id = o.org_id AND p.id < o.id AND p.next_attempt_at > o.next_attempt_at` + fence + `)`
	}
	until := utc(c.Now.Add(c.Lease))
	items, err := t.listOutbox(ctx, `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $3
		WHERE id IN (SELECT o.id FROM outbox o WHERE o.kind = $1 AND o.state = 'pending' AND o.next_attempt_at <= $2`+lane+`
			ORDER BY o.next_attempt_at, o.id LIMIT $4`+t.d.SkipLocked()+`)
		RETURNING `+outboxColumns, []any{c.Kind, utc(c.Now), until, c.Limit})
	if err != nil {
		return nil, err
	}
	// RETURNING has no order: each org's messages go out in id order (ids are time-ordered).
	slices.SortFunc(items, func(a, b provisioning.OutboxItem) int { return strings.Compare(a.ID, b.ID) })
	return items, nil
}

// SettleOutbox records a batch of delivery outcomes in one UPDATE joined to the outcomes, which
// Postgres receives as arrays and SQLite as VALUES lists (one UPDATE per rowsPerStatement).
func (t *Tx) SettleOutbox(ctx context.Context, s []provisioning.OutboxSettlement) (int, error) {
	per := len(s) // arrays: one statement whatever the batch
	if t.d.Dialect() != "postgres" {
		per = t.rowsPerStatement(7)
	}
	settled := 0
	for start := 0; start < len(s); start += per {
		n, err := t.settleOutbox(ctx, s[start:min(start+per, len(s))])
		if err != nil {
			return settled, err
		}
		settled += n
	}
	return settled, nil
}

func (t *Tx) settleOutbox(ctx context.Context, s []provisioning.OutboxSettlement) (int, error) {
	const set = ` UPDATE outbox SET state = v.state,
		sent_at = CASE WHEN v.state = 'sent' THEN v.at_time ELSE outbox.sent_at END,
		next_attempt_at = CASE WHEN v.released = 1 THEN outbox.created_at WHEN v.state = 'pending' THEN v.at_time ELSE outbox.next_attempt_at END,
		payload = COALESCE(v.payload, outbox.payload),
		last_error = CASE WHEN v.released = 1 THEN outbox.last_error ELSE v.last_error END,
		attempts = outbox.attempts - v.released
		FROM v WHERE outbox.id = v.id AND outbox.attempts = v.attempts AND outbox.state = 'pending'`
	var query string
	var args []any
	if t.d.Dialect() == "postgres" {
		ids, states, errs := make([]string, len(s)), make([]string, len(s)), make([]string, len(s))
		attempts, released := make([]int32, len(s)), make([]int32, len(s))
		at, payloads := make([]time.Time, len(s)), make([]*string, len(s))
		for i, m := range s {
			ids[i], attempts[i], states[i], at[i], errs[i], released[i] = m.ID, int32(m.Attempt), string(m.State), utc(m.At), m.LastError, released01(m)
			if m.Payload != nil {
				p := string(m.Payload)
				payloads[i] = &p
			}
		}
		query = `WITH v AS (SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::int[])
			AS v(id, attempts, state, at_time, payload, last_error, released))` + set
		args = []any{ids, attempts, states, at, payloads, errs, released}
	} else {
		rows := make([]string, len(s))
		for i, m := range s {
			n := len(args)
			rows[i] = fmt.Sprintf("($%d,$%d,$%d,$%d,$%d,$%d,$%d)", n+1, n+2, n+3, n+4, n+5, n+6, n+7)
			var payload any
			if m.Payload != nil {
				payload = string(m.Payload)
			}
			args = append(args, m.ID, m.Attempt, string(m.State), utc(m.At), payload, m.LastError, released01(m))
		}
		query = `WITH v(id, attempts, state, at_time, payload, last_error, released) AS (VALUES ` + strings.Join(rows, ",") + `)` + set
	}
	n, err := t.exec(ctx, "outbox messages", query, args...)
	return int(n), err
}

func released01(m provisioning.OutboxSettlement) int32 {
	if m.Released {
		return 1
	}
	return 0
}

// PurgeOutbox deletes up to limit sent messages of kind older than before, through the partial
// index of sent messages.
func (t *Tx) PurgeOutbox(ctx context.Context, kind string, before time.Time, limit int) (int64, error) {
	return t.exec(ctx, "outbox messages", `DELETE FROM outbox WHERE id IN (SELECT id FROM outbox
		WHERE kind = $1 AND state = 'sent' AND sent_at < $2 ORDER BY sent_at LIMIT $3)`, kind, utc(before), limit)
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
