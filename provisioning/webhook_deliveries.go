package provisioning

import (
	"context"
	"strings"
)

// maxDeliveries bounds the webhook deliveries one listing returns.
const maxDeliveries = 500

// WebhookDeliveries lists webhook messages of the outbox, newest first, in one state or all
// (empty), at most limit (the operator only: the webhook endpoint is the installation's).
func (s *Service) WebhookDeliveries(ctx context.Context, actor Actor, state OutboxState, limit int) ([]OutboxItem, error) {
	if !actor.IsOperator() {
		return nil, Errorf(CodeForbidden, "only the operator can see webhook deliveries")
	}
	switch state {
	case "", OutboxPending, OutboxSent, OutboxFailed:
	default:
		return nil, Invalidf("state", "state must be pending, sent or failed")
	}
	if limit <= 0 || limit > maxDeliveries {
		limit = maxDeliveries
	}
	var out []OutboxItem
	err := s.store.View(ctx, func(tx StoreTx) error {
		var err error
		out, err = tx.ListOutbox(ctx, OutboxQuery{Kind: OutboxWebhook, State: state, Limit: limit, Newest: true})
		return err
	})
	return out, err
}

// RedeliverWebhook queues a failed webhook delivery again, due now with a fresh set of attempts,
// and audits it in the delivery's org (the operator only). Webhook payloads carry no secrets, so
// the same payload goes out again; the app deduplicates on its Rollcall-Delivery id.
func (s *Service) RedeliverWebhook(ctx context.Context, actor Actor, id string) (OutboxItem, error) {
	if !actor.IsOperator() {
		return OutboxItem{}, Errorf(CodeForbidden, "only the operator can send webhooks again")
	}
	var item OutboxItem
	err := s.store.Update(ctx, func(tx StoreTx) error {
		var err error
		item, err = tx.RequeueOutbox(ctx, strings.TrimSpace(id), OutboxWebhook, s.Now())
		if IsCode(err, CodeNotFound) {
			return Errorf(CodeConflict, "there is no failed webhook delivery %q: only a failed delivery is sent again (a pending one is still being tried)", truncateText(id, 64))
		}
		if err != nil {
			return err
		}
		return s.record(ctx, tx, Change{Actor: actor, OrgID: item.OrgID, Action: "webhook.redelivered", TargetType: "webhook_delivery",
			TargetID: item.ID, Reason: "the operator queued the failed " + item.Topic + " webhook again (last error: " + truncateText(item.LastError, 200) + ")"})
	})
	return item, err
}

func truncateText(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
