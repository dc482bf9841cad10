package api_test

import (
	"net/http"
	"testing"

	"github.com/rollcall/rollcall/provisioning"
)

// TestWebhookDeliveries: the operator lists deliveries newest first, filtered by state, and
// redelivers a failed one; an owner's token is refused, a bad filter named.
func TestWebhookDeliveries(t *testing.T) {
	e := newEnv(t)
	f := e.fixture(10)
	res := e.do(e.op, "GET", "/webhooks/deliveries?limit=5", nil)
	list, _ := res.Body["deliveries"].([]any)
	if res.Status != http.StatusOK || len(list) != 5 {
		t.Fatalf("deliveries: %d %s", res.Status, res.Raw)
	}
	id, _ := list[0].(map[string]any)["id"].(string)
	e.h.Tx(func(tx provisioning.StoreTx) error {
		return tx.FailOutbox(e.h.Ctx, id, "webhook endpoint answered 502 Bad Gateway")
	})
	if res := e.do(f.tokens[provisioning.RoleOwner], "GET", "/webhooks/deliveries", nil); res.Status != http.StatusForbidden {
		t.Fatalf("an owner listed deliveries: %d", res.Status)
	}
	if res := e.do(e.op, "GET", "/webhooks/deliveries?state=lost", nil); res.Status != http.StatusBadRequest || res.errCode() != "invalid" {
		t.Fatalf("a bad state: %d %s", res.Status, res.Raw)
	}
	if res := e.do(e.op, "GET", "/webhooks/deliveries?state=failed", nil); len(res.Body["deliveries"].([]any)) != 1 {
		t.Fatalf("failed deliveries: %s", res.Raw)
	}
	res = e.do(e.op, "POST", "/webhooks/deliveries/"+id+"/redeliver", nil)
	if d, _ := res.Body["delivery"].(map[string]any); res.Status != http.StatusOK || d["state"] != "pending" || d["attempts"] != float64(0) {
		t.Fatalf("redeliver: %d %s", res.Status, res.Raw)
	}
	if res := e.do(e.op, "POST", "/webhooks/deliveries/"+id+"/redeliver", nil); res.Status != http.StatusConflict {
		t.Fatalf("a pending delivery redelivered: %d %s", res.Status, res.Raw)
	}
}
