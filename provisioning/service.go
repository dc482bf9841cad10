package provisioning

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/google/uuid"
)

// Service is the provisioning core. Every entrance and transport calls it; it decides users,
// memberships, roles and seats and has the store apply each decision in one transaction.
type Service struct {
	store  Store
	now    func() time.Time
	logger *slog.Logger
	keys   *keyring
	// noWebhooks drops webhook events: no endpoint is configured to receive them.
	noWebhooks bool
	// operatorKey is this instance's copy of the operator key's hash.
	operatorKey operatorKeyCache
}

// Options configure a Service.
type Options struct {
	// Now is the clock; tests inject one. Defaults to time.Now.
	Now    func() time.Time
	Logger *slog.Logger
	// SecretKey seals secrets at rest (Seal) with AES-256-GCM; a key of another length than 32
	// bytes is stretched with SHA-256 (see KeyFromPassphrase). Empty: a random key is generated
	// once into the settings table, which is weaker (a database copy holds the key too).
	SecretKey []byte
	// NoWebhooks says no webhook endpoint is configured: changes queue no webhook event (the
	// audit log records them all the same), so the outbox does no work for nobody.
	NoWebhooks bool
}

// NewService builds the core over a store.
func NewService(store Store, o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{store: store, now: o.Now, logger: o.Logger, keys: newKeyring(store, o.SecretKey), noWebhooks: o.NoWebhooks}
}

// Now is the service clock, truncated to microseconds as the stores keep it.
func (s *Service) Now() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// NewID returns a new time-ordered unique id.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// Change describes one audited change, recorded with Record.
type Change struct {
	Actor      Actor
	OrgID      string
	Entrance   Entrance
	Action     string
	TargetType string
	TargetID   string
	Before     any
	After      any
	Reason     string
	// Webhook also enqueues the change as an outgoing webhook event.
	Webhook bool
}

// Record appends the audit event of a change and, when asked, its webhook event, in the
// entrance's transaction.
func (s *Service) Record(ctx context.Context, in Txn, c Change) error {
	return s.record(ctx, in.storeTx(), c)
}

// record appends the audit event of a change and, when asked, its webhook event, inside tx.
func (s *Service) record(ctx context.Context, tx Tx, c Change) error {
	e, m, webhook := s.events(c)
	if err := tx.AppendAudit(ctx, e); err != nil {
		return err
	}
	if !webhook {
		return nil
	}
	return tx.EnqueueOutbox(ctx, m)
}

// recordAll records changes as record does one by one, in a few statements: the audit events
// in one multi-row insert per 500, then the webhook events likewise, each in the order given.
func (s *Service) recordAll(ctx context.Context, tx Tx, changes []Change) error {
	if len(changes) == 0 {
		return nil
	}
	events := make([]AuditEvent, 0, len(changes))
	var msgs []OutboxMessage
	for _, c := range changes {
		e, m, webhook := s.events(c)
		events = append(events, e)
		if webhook {
			msgs = append(msgs, m)
		}
	}
	if err := tx.AppendAudits(ctx, events); err != nil {
		return err
	}
	if len(msgs) == 0 {
		return nil
	}
	return tx.EnqueueOutboxes(ctx, msgs)
}

// events builds the audit event of a change and its webhook event, which is to be queued when
// webhook is true.
func (s *Service) events(c Change) (AuditEvent, OutboxMessage, bool) {
	now := s.Now()
	e := AuditEvent{
		ID: NewID(), OrgID: c.OrgID, At: now, ActorKind: c.Actor.Kind, ActorID: c.Actor.ID,
		ActorLabel: c.Actor.Label, Entrance: c.Entrance, Action: c.Action,
		TargetType: c.TargetType, TargetID: c.TargetID, Before: marshal(c.Before),
		After: marshal(c.After), Reason: c.Reason,
	}
	if !c.Webhook || s.noWebhooks {
		return e, OutboxMessage{}, false
	}
	payload, _ := json.Marshal(map[string]any{
		"type": c.Action, "orgId": c.OrgID, "at": now, "entrance": c.Entrance,
		"actor": c.Actor, "target": map[string]string{"type": c.TargetType, "id": c.TargetID},
		"before": e.Before, "after": e.After, "reason": c.Reason,
	})
	return e, OutboxMessage{
		ID: NewID(), OrgID: c.OrgID, Kind: OutboxWebhook, Topic: c.Action, Payload: payload, CreatedAt: now,
	}, true
}

func marshal(v any) json.RawMessage {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return b
}

// memberSnapshot is what the audit log records of a membership before and after a change.
type memberSnapshot struct {
	Role    Role     `json:"role"`
	Status  Status   `json:"status"`
	HasSeat bool     `json:"hasSeat"`
	Source  Entrance `json:"source,omitempty"`
	Email   string   `json:"email,omitempty"`
}

func snapshot(m Membership, email string) *memberSnapshot {
	if m.ID == "" {
		return nil
	}
	return &memberSnapshot{Role: m.Role, Status: m.Status, HasSeat: m.HasSeat(), Source: m.Source, Email: email}
}
