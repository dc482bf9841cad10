package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

func rawOrNull(b json.RawMessage) any {
	if len(b) == 0 {
		return nil
	}
	return string(b)
}

// AppendAudit appends one event to the audit log.
func (t *Tx) AppendAudit(ctx context.Context, e provisioning.AuditEvent) error {
	return t.execLater(ctx, "audit event", `INSERT INTO audit_events (id, org_id, at, actor_kind, actor_id,
		actor_label, entrance, action, target_type, target_id, before_json, after_json, reason)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)`,
		e.ID, e.OrgID, utc(e.At), string(e.ActorKind), e.ActorID, e.ActorLabel, string(e.Entrance),
		e.Action, e.TargetType, e.TargetID, rawOrNull(e.Before), rawOrNull(e.After), e.Reason)
}

// ListAudit returns audit events matching q, newest first.
func (t *Tx) ListAudit(ctx context.Context, q provisioning.AuditQuery) ([]provisioning.AuditEvent, error) {
	b := &sqlBuilder{}
	b.add("org_id = " + b.arg(q.OrgID))
	if q.Actor != "" {
		b.add("(actor_id = " + b.arg(q.Actor) + " OR lower(actor_label) = " + b.arg(strings.ToLower(q.Actor)) + ")")
	}
	for col, v := range map[string]string{"action": q.Action, "target_id": q.TargetID} {
		if v != "" {
			b.add(col + " = " + b.arg(v))
		}
	}
	if !q.Since.IsZero() {
		b.add("at >= " + b.arg(utc(q.Since)))
	}
	if !q.Until.IsZero() {
		b.add("at < " + b.arg(utc(q.Until)))
	}
	if q.Before != "" {
		b.add("id < " + b.arg(q.Before))
	}
	query := `SELECT id, org_id, at, actor_kind, actor_id, actor_label, entrance, action, target_type,
		target_id, before_json, after_json, reason FROM audit_events WHERE ` +
		strings.Join(b.where, " AND ") + " ORDER BY id DESC"
	if q.Limit > 0 {
		query += fmt.Sprintf(" LIMIT %s", b.arg(q.Limit))
	}
	var out []provisioning.AuditEvent
	err := t.queryRows(ctx, query, b.args, func(r Rows) error {
		var e provisioning.AuditEvent
		var before, after *string
		if err := r.Scan(&e.ID, &e.OrgID, timeValue{&e.At}, &e.ActorKind, &e.ActorID, &e.ActorLabel,
			&e.Entrance, &e.Action, &e.TargetType, &e.TargetID, &before, &after, &e.Reason); err != nil {
			return err
		}
		if before != nil {
			e.Before = json.RawMessage(*before)
		}
		if after != nil {
			e.After = json.RawMessage(*after)
		}
		out = append(out, e)
		return nil
	})
	return out, err
}

// EnqueueOutbox writes an outgoing message, due at once.
func (t *Tx) EnqueueOutbox(ctx context.Context, m provisioning.OutboxMessage) error {
	return t.execLater(ctx, "outbox message", `INSERT INTO outbox (id, org_id, kind, topic, payload,
		next_attempt_at, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
		m.ID, m.OrgID, m.Kind, m.Topic, string(m.Payload), utc(m.CreatedAt), utc(m.CreatedAt))
}

// AppendAudits appends events to the audit log in the order given: one statement per 500 on
// Postgres, which receives each column as an array, and VALUES lists of at most
// sqliteParamsPerStatement parameters on SQLite.
func (t *Tx) AppendAudits(ctx context.Context, events []provisioning.AuditEvent) error {
	const insert = `INSERT INTO audit_events (id, org_id, at, actor_kind, actor_id, actor_label,
		entrance, action, target_type, target_id, before_json, after_json, reason) `
	for len(events) > 0 {
		batch := events[:min(t.rowsPerStatement(13), len(events))]
		events = events[len(batch):]
		var query string
		var args []any
		if t.d.Dialect() == "postgres" {
			n := len(batch)
			ids, orgs, kinds, actors, labels := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
			entrances, actions, types, targets, reasons := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
			at, before, after := make([]time.Time, n), make([]*string, n), make([]*string, n)
			for i, e := range batch {
				ids[i], orgs[i], at[i], kinds[i], actors[i], labels[i] = e.ID, e.OrgID, utc(e.At), string(e.ActorKind), e.ActorID, e.ActorLabel
				entrances[i], actions[i], types[i], targets[i], reasons[i] = string(e.Entrance), e.Action, e.TargetType, e.TargetID, e.Reason
				before[i], after[i] = textOrNil(e.Before), textOrNil(e.After)
			}
			query = insert + `SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[],
				$6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[])`
			args = []any{ids, orgs, at, kinds, actors, labels, entrances, actions, types, targets, before, after, reasons}
		} else {
			rows := make([]string, len(batch))
			for i, e := range batch {
				rows[i] = "(" + placeholders(len(args)+1, 13) + ")"
				args = append(args, e.ID, e.OrgID, utc(e.At), string(e.ActorKind), e.ActorID, e.ActorLabel, string(e.Entrance),
					e.Action, e.TargetType, e.TargetID, rawOrNull(e.Before), rawOrNull(e.After), e.Reason)
			}
			query = insert + `VALUES ` + strings.Join(rows, ",")
		}
		if err := t.execLater(ctx, "audit events", query, args...); err != nil {
			return err
		}
	}
	return nil
}

func textOrNil(b json.RawMessage) *string {
	if len(b) == 0 {
		return nil
	}
	s := string(b)
	return &s
}

// EnqueueOutboxes writes outgoing messages, due at once, in one statement per 500 (as
// AppendAudits does).
func (t *Tx) EnqueueOutboxes(ctx context.Context, msgs []provisioning.OutboxMessage) error {
	const insert = `INSERT INTO outbox (id, org_id, kind, topic, payload, next_attempt_at, created_at) `
	for len(msgs) > 0 {
		batch := msgs[:min(t.rowsPerStatement(6), len(msgs))]
		msgs = msgs[len(batch):]
		var query string
		var args []any
		if t.d.Dialect() == "postgres" {
			n := len(batch)
			ids, orgs, kinds, topics, payloads, at := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]time.Time, n)
			for i, m := range batch {
				ids[i], orgs[i], kinds[i], topics[i], payloads[i], at[i] = m.ID, m.OrgID, m.Kind, m.Topic, string(m.Payload), utc(m.CreatedAt)
			}
			query = insert + `SELECT id, org_id, kind, topic, payload, at, at FROM unnest($1::text[], $2::text[],
				$3::text[], $4::text[], $5::text[], $6::timestamptz[]) AS v(id, org_id, kind, topic, payload, at)`
			args = []any{ids, orgs, kinds, topics, payloads, at}
		} else {
			rows := make([]string, len(batch))
			for i, m := range batch {
				n := len(args)
				rows[i] = fmt.Sprintf("($%d,$%d,$%d,$%d,$%d,$%d,$%d)", n+1, n+2, n+3, n+4, n+5, n+6, n+6)
				args = append(args, m.ID, m.OrgID, m.Kind, m.Topic, string(m.Payload), utc(m.CreatedAt))
			}
			query = insert + `VALUES ` + strings.Join(rows, ",")
		}
		if err := t.execLater(ctx, "outbox messages", query, args...); err != nil {
			return err
		}
	}
	return nil
}
