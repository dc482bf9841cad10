package provisioning

import (
	"encoding/json"
	"time"
)

// AuditEvent is one append-only record of a change: who, through which entrance, did what to
// what, with the state before and after.
type AuditEvent struct {
	ID         string          `json:"id"`
	OrgID      string          `json:"orgId"`
	At         time.Time       `json:"at"`
	ActorKind  ActorKind       `json:"actorKind"`
	ActorID    string          `json:"actorId,omitempty"`
	ActorLabel string          `json:"actorLabel,omitempty"`
	Entrance   Entrance        `json:"entrance,omitempty"`
	Action     string          `json:"action"`
	TargetType string          `json:"targetType"`
	TargetID   string          `json:"targetId"`
	Before     json.RawMessage `json:"before,omitempty"`
	After      json.RawMessage `json:"after,omitempty"`
	Reason     string          `json:"reason,omitempty"`
}

// AuditQuery filters the audit log. Empty fields match everything.
type AuditQuery struct {
	OrgID string
	// Actor matches the actor's id, or its label (a person's email) in any case.
	Actor    string
	Action   string
	TargetID string
	Since    time.Time
	Until    time.Time
	// Before is a cursor: only events older than this event id.
	Before string
	Limit  int
}

// OutboxMessage is an outgoing event (webhook or email) written in the same transaction as the
// change that caused it, and delivered later by a worker with retries.
type OutboxMessage struct {
	ID        string          `json:"id"`
	OrgID     string          `json:"orgId,omitempty"`
	Kind      string          `json:"kind"`
	Topic     string          `json:"topic"`
	Payload   json.RawMessage `json:"payload"`
	CreatedAt time.Time       `json:"createdAt"`
}

// Outbox message kinds.
const (
	OutboxWebhook = "webhook"
	OutboxEmail   = "email"
)
