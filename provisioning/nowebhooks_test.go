package provisioning_test

import (
	"testing"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/store/storetest"
)

// TestNoWebhooksQueuesNone: without a webhook endpoint a change queues no webhook event and is
// audited all the same; with one, the same change queues its event.
func TestNoWebhooksQueuesNone(t *testing.T) {
	h := storetest.NewHarness(t, storetest.OpenSQLite(t))
	acme := h.CreateOrg("acme", 5, "alice@acme.com")
	hooks := func() int {
		var n int
		h.Tx(func(tx provisioning.StoreTx) error {
			list, err := tx.ListOutbox(h.Ctx, provisioning.OutboxQuery{Kind: provisioning.OutboxWebhook})
			n = len(list)
			return err
		})
		return n
	}
	for _, none := range []bool{true, false} {
		svc := provisioning.NewService(h.Store, provisioning.Options{Now: h.Clock.Now, NoWebhooks: none})
		email := map[bool]string{true: "quiet@acme.com", false: "loud@acme.com"}[none]
		before := hooks()
		m, err := svc.AddMember(h.Ctx, provisioning.Operator(), acme.Org.ID, provisioning.AddMemberInput{Email: email, Role: provisioning.RoleMember})
		if err != nil {
			t.Fatal(err)
		}
		h.Tx(func(tx provisioning.StoreTx) error {
			audit, err := tx.ListAudit(h.Ctx, provisioning.AuditQuery{OrgID: acme.Org.ID, TargetID: m.ID})
			if err != nil || len(audit) == 0 {
				t.Errorf("NoWebhooks %v: no audit event for the change (%v)", none, err)
			}
			return err
		})
		if queued, want := hooks()-before, map[bool]int{true: 0, false: 1}[none]; queued != want {
			t.Errorf("NoWebhooks %v: %d webhook events queued for the change, want %d", none, queued, want)
		}
	}
}
