package web

import (
	"net/http"
	"net/url"

	"github.com/rollcall/rollcall/httperr"
	"github.com/rollcall/rollcall/provisioning"
)

// WebhookConfig is what the webhooks page tells of the installation's webhook settings, which
// come from the configuration (--webhook-url, --webhook-secret, --webhook-previous-secret).
type WebhookConfig struct {
	// URL is the endpoint; empty when events are only logged.
	URL string
	// Rotating says a previous secret is set: deliveries are signed with both.
	Rotating bool
	// MaxAttempts is how many deliveries are tried before one is marked failed.
	MaxAttempts int
}

// maxDeliveriesShown bounds the deliveries the page lists.
const maxDeliveriesShown = 100

// webhooksView is what webhooks.html shows the operator.
type webhooksView struct {
	CSRF   string
	Config WebhookConfig
	// Attempts words Config.MaxAttempts ("8 attempts").
	Attempts string
	State    string
	States   []option
	Rows     []deliveryRow
	// Notice names a delivery just queued again.
	Notice string
}

// deliveryRow is one webhook delivery.
type deliveryRow struct {
	ID, Topic, Org, Created, State, Class, Next, LastError, Payload string
	Attempts                                                        int
	Failed                                                          bool
}

// webhooks shows the endpoint, the recent deliveries with a redeliver button on failed ones,
// the verification snippet and how to rotate the secret.
func (o *Options) webhooks(w http.ResponseWriter, r *http.Request, v *operatorVisit) error {
	return o.webhooksPage(w, r, v, http.StatusOK, "")
}

func (o *Options) webhooksPage(w http.ResponseWriter, r *http.Request, v *operatorVisit, status int, alert string) error {
	ctx, op := r.Context(), provisioning.Operator()
	state := r.URL.Query().Get("state")
	list, err := o.Service.WebhookDeliveries(ctx, op, provisioning.OutboxState(state), maxDeliveriesShown)
	if provisioning.IsCode(err, provisioning.CodeInvalid) {
		state, alert = "", provisioning.ErrorMessage(err)
		list, err = o.Service.WebhookDeliveries(ctx, op, "", maxDeliveriesShown)
	}
	if err != nil {
		return err
	}
	orgs, err := o.Service.ListOrgs(ctx, op)
	if err != nil {
		return err
	}
	slugs := map[string]string{}
	for _, org := range orgs {
		slugs[org.ID] = org.Slug
	}
	view := webhooksView{CSRF: v.csrf, Config: o.Webhooks, State: state, Attempts: plural(o.Webhooks.MaxAttempts, "attempt", "attempts"),
		States: options([][2]string{{"", "All"}, {"failed", "Failed"}, {"pending", "Pending"}, {"sent", "Sent"}}, state)}
	if id := r.URL.Query().Get("redelivered"); id != "" {
		view.Notice = "Queued the delivery " + id + " again: it goes out within seconds, with a fresh set of attempts."
	}
	for _, it := range list {
		view.Rows = append(view.Rows, deliveryRowOf(it, slugs))
	}
	p := operatorFrame("Webhooks")
	p.Notice, p.Alert = view.Notice, alert
	return o.render(w, r, status, p, "webhooks.html", view)
}

func deliveryRowOf(it provisioning.OutboxItem, slugs map[string]string) deliveryRow {
	row := deliveryRow{ID: it.ID, Topic: it.Topic, Org: orDefault(slugs[it.OrgID], it.OrgID), Created: dateTime(it.CreatedAt),
		State: string(it.State), Class: string(it.State), Attempts: it.Attempts, LastError: it.LastError,
		Payload: string(it.Payload), Failed: it.State == provisioning.OutboxFailed}
	switch {
	case it.State == provisioning.OutboxSent && it.SentAt != nil:
		row.Next = "sent " + dateTime(*it.SentAt)
	case it.State == provisioning.OutboxPending:
		row.Next, row.Class = "next try "+dateTime(it.NextAttemptAt), "pending"
	}
	return row
}

// redeliver queues a failed delivery again and goes back to the list.
func (o *Options) redeliver(w http.ResponseWriter, r *http.Request, v *operatorVisit) error {
	id := r.PathValue("id")
	_, err := o.Service.RedeliverWebhook(r.Context(), provisioning.Operator(), id)
	if err != nil && httperr.StatusOf(err) < 500 {
		return o.webhooksPage(w, r, v, httperr.StatusOf(err), provisioning.ErrorMessage(err))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, OperatorPrefix+"/webhooks?"+url.Values{"state": {r.PostForm.Get("state")}, "redelivered": {id}}.Encode(), http.StatusSeeOther)
	return nil
}
