package api

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/rollcall/rollcall/provisioning"
)

// deliveriesResponse lists webhook deliveries.
type deliveriesResponse struct {
	Deliveries []provisioning.OutboxItem `json:"deliveries"`
}

// deliveryResponse is one webhook delivery.
type deliveryResponse struct {
	Delivery provisioning.OutboxItem `json:"delivery"`
}

func (a *API) webhookRoutes(r *Router) {
	r.Handle(Route{Method: "GET", Path: "/webhooks/deliveries", Summary: "Recent webhook deliveries, newest first, with state, attempts and last error; state=pending|sent|failed, limit up to 500 (operator)", Query: []string{"state", "limit"}, Response: deliveriesResponse{}}, a.listDeliveries)
	r.Handle(Route{Method: "POST", Path: "/webhooks/deliveries/{delivery}/redeliver", Summary: "Queue a failed webhook delivery again, due now with a fresh set of attempts (operator)", Response: deliveryResponse{}}, a.redeliverWebhook)
}

func (a *API) listDeliveries(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r, "state", "limit")
	state := q.oneOf("state", "pending", "sent", "failed")
	limit := q.int("limit", 100, 1, 500)
	if q.err != nil {
		return q.err
	}
	list, err := a.svc.WebhookDeliveries(r.Context(), ActorFrom(r.Context()), provisioning.OutboxState(state), limit)
	if err != nil {
		return err
	}
	if list == nil {
		list = []provisioning.OutboxItem{}
	}
	return JSON(w, http.StatusOK, deliveriesResponse{Deliveries: list})
}

func (a *API) redeliverWebhook(w http.ResponseWriter, r *http.Request) error {
	item, err := a.svc.RedeliverWebhook(r.Context(), ActorFrom(r.Context()), chi.URLParam(r, "delivery"))
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, deliveryResponse{Delivery: item})
}
