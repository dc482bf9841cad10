package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

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
	_, err := t.exec(ctx, "audit event", `INSERT INTO audit_events (id, org_id, at, actor_kind, actor_id,
		actor_label, entrance, action, target_type, target_id, before_json, after_json, reason)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)`,
		e.ID, e.OrgID, utc(e.At), string(e.ActorKind), e.ActorID, e.ActorLabel, string(e.Entrance),
		e.Action, e.TargetType, e.TargetID, rawOrNull(e.Before), rawOrNull(e.After), e.Reason)
	return err
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
	_, err := t.exec(ctx, "outbox message", `INSERT INTO outbox (id, org_id, kind, topic, payload,
		next_attempt_at, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
		m.ID, m.OrgID, m.Kind, m.Topic, string(m.Payload), utc(m.CreatedAt), utc(m.CreatedAt))
	return err
}
