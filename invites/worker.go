package invites

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/rollcall/rollcall/outbox"
	"github.com/rollcall/rollcall/provisioning"
)

// WorkerOptions tune email delivery.
type WorkerOptions = outbox.Options

// Worker delivers invitation and sign-in emails from the outbox.
type Worker = outbox.Worker

// NewWorker builds an outbox worker that sends email with sender.
func NewWorker(svc *provisioning.Service, sender Sender, o WorkerOptions) *Worker {
	return outbox.NewWorker(svc, mailDeliverer{svc: svc, sender: sender}, o)
}

// mailDeliverer opens queued emails, sends them and keeps only recipient and subject once
// sent, so the one-time link does not outlive its delivery.
type mailDeliverer struct {
	svc    *provisioning.Service
	sender Sender
}

func (mailDeliverer) Kind() string { return provisioning.OutboxEmail }

// Lane keeps one recipient's mails of a batch in the order they were queued.
func (mailDeliverer) Lane(it provisioning.OutboxItem) string {
	var q queuedMail
	_ = json.Unmarshal(it.Payload, &q)
	return strings.ToLower(q.To)
}

func (d mailDeliverer) Deliver(ctx context.Context, it provisioning.OutboxItem) ([]byte, error) {
	var q queuedMail
	if err := json.Unmarshal(it.Payload, &q); err != nil {
		return nil, err
	}
	plain := it.Payload // queued before mails were sealed
	if q.Sealed != nil {
		var err error
		if plain, err = d.svc.Open(ctx, q.Sealed, mailAAD(it.ID)); err != nil {
			return nil, err
		}
	}
	var m Mail
	if err := json.Unmarshal(plain, &m); err != nil {
		return nil, err
	}
	if err := d.sender.Send(ctx, m); err != nil {
		return nil, err
	}
	return json.Marshal(queuedMail{To: q.To, Subject: q.Subject, Template: q.Template})
}
