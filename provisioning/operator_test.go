package provisioning_test

import (
	"testing"
	"time"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/store/storetest"
)

// TestOperatorSession: the operator key opens a session any instance reads back; a member's
// token, a wrong key, a tampered or expired session, and a session from before the operator key
// changed are refused.
func TestOperatorSession(t *testing.T) {
	h := storetest.NewHarness(t, storetest.OpenSQLite(t))
	key, _, err := h.Service.EnsureOperatorKey(h.Ctx, "operator-key-0123456789")
	if err != nil {
		t.Fatal(err)
	}
	sess, err := h.Service.StartOperatorSession(h.Ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	other := provisioning.NewService(h.Store, provisioning.Options{Now: h.Clock.Now})
	if a, err := other.OperatorSession(h.Ctx, sess); err != nil || !a.IsOperator() {
		t.Fatalf("another instance reads the session: %+v %v", a, err)
	}
	acme := h.CreateOrg("acme", 5, "alice@acme.com")
	tok, err := h.Service.CreateToken(h.Ctx, h.MemberActor(acme.Owner.Membership), acme.Org.ID, "t", provisioning.TokenLimits{})
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{tok.Secret, "operator-key-wrong-0000", ""} {
		if _, err := h.Service.StartOperatorSession(h.Ctx, bad); !provisioning.IsCode(err, provisioning.CodeUnauthorized) {
			t.Errorf("a session for %q: %v", bad, err)
		}
	}
	tampered := []byte(sess)
	tampered[len(tampered)/2] ^= 1
	for _, bad := range []string{string(tampered), "x", ""} {
		if _, err := h.Service.OperatorSession(h.Ctx, bad); !provisioning.IsCode(err, provisioning.CodeUnauthorized) {
			t.Errorf("session %q accepted: %v", bad, err)
		}
	}
	h.Clock.Advance(provisioning.OperatorSessionTTL + time.Second)
	if _, err := h.Service.OperatorSession(h.Ctx, sess); !provisioning.IsCode(err, provisioning.CodeUnauthorized) {
		t.Fatalf("an expired session: %v", err)
	}
	fresh, _ := h.Service.StartOperatorSession(h.Ctx, key)
	if _, _, err := h.Service.EnsureOperatorKey(h.Ctx, "a-new-operator-key-987654"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Service.OperatorSession(h.Ctx, fresh); !provisioning.IsCode(err, provisioning.CodeUnauthorized) {
		t.Fatalf("a session outlived the operator key: %v", err)
	}
}

// TestRedeliverWebhook: the operator lists webhook deliveries newest first and queues a failed
// one again (audited in its org); a pending one, an email and anyone but the operator are refused.
func TestRedeliverWebhook(t *testing.T) {
	h := storetest.NewHarness(t, storetest.OpenSQLite(t))
	acme := h.CreateOrg("acme", 5, "alice@acme.com")
	h.MustJoin(acme.Org.ID, "bob@acme.com", provisioning.EntranceManual, provisioning.RoleMember)
	op := provisioning.Operator()
	list, err := h.Service.WebhookDeliveries(h.Ctx, op, "", 10)
	if err != nil || len(list) < 2 || list[0].Topic != "member.joined" || list[0].CreatedAt.Before(list[len(list)-1].CreatedAt) {
		t.Fatalf("deliveries: %+v %v", list, err)
	}
	failed := list[0]
	h.Tx(func(tx provisioning.StoreTx) error {
		return tx.FailOutbox(h.Ctx, failed.ID, "webhook endpoint answered 500")
	})
	if _, err := h.Service.WebhookDeliveries(h.Ctx, h.MemberActor(acme.Owner.Membership), "", 10); !provisioning.IsCode(err, provisioning.CodeForbidden) {
		t.Fatalf("an owner listed deliveries: %v", err)
	}
	if _, err := h.Service.RedeliverWebhook(h.Ctx, h.MemberActor(acme.Owner.Membership), failed.ID); !provisioning.IsCode(err, provisioning.CodeForbidden) {
		t.Fatalf("an owner redelivered: %v", err)
	}
	if only, err := h.Service.WebhookDeliveries(h.Ctx, op, provisioning.OutboxFailed, 10); err != nil || len(only) != 1 {
		t.Fatalf("failed deliveries: %+v %v", only, err)
	}
	again, err := h.Service.RedeliverWebhook(h.Ctx, op, failed.ID)
	if err != nil || again.State != provisioning.OutboxPending || again.Attempts != 0 {
		t.Fatalf("redeliver: %+v %v", again, err)
	}
	if _, err := h.Service.RedeliverWebhook(h.Ctx, op, failed.ID); !provisioning.IsCode(err, provisioning.CodeConflict) {
		t.Fatalf("a pending delivery sent again: %v", err)
	}
	var events []provisioning.AuditEvent
	h.Tx(func(tx provisioning.StoreTx) error {
		events, err = tx.ListAudit(h.Ctx, provisioning.AuditQuery{OrgID: acme.Org.ID, Action: "webhook.redelivered"})
		return err
	})
	if len(events) != 1 || events[0].TargetID != failed.ID || events[0].ActorKind != provisioning.ActorOperator {
		t.Fatalf("redelivery audit: %+v", events)
	}
}

// TestOperatorKeyChangeReachesEveryInstance: an instance keeps the operator key's hash for at
// most a second, so a key installed by another instance (a restart with a new --operator-key)
// replaces the old one everywhere within that time, and at once on the instance installing it.
func TestOperatorKeyChangeReachesEveryInstance(t *testing.T) {
	h := storetest.NewHarness(t, storetest.OpenSQLite(t))
	if _, _, err := h.Service.EnsureOperatorKey(h.Ctx, "operator-key-old-0123456789"); err != nil {
		t.Fatal(err)
	}
	other := provisioning.NewService(h.Store, provisioning.Options{Now: h.Clock.Now})
	if a, err := other.Authenticate(h.Ctx, "operator-key-old-0123456789"); err != nil || !a.IsOperator() {
		t.Fatalf("the old key on the other instance: %+v %v", a, err)
	}
	if _, _, err := h.Service.EnsureOperatorKey(h.Ctx, "operator-key-new-0123456789"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Service.Authenticate(h.Ctx, "operator-key-old-0123456789"); !provisioning.IsCode(err, provisioning.CodeUnauthorized) {
		t.Fatalf("the old key on the instance that replaced it: %v", err)
	}
	start := time.Now()
	for {
		_, oldErr := other.Authenticate(h.Ctx, "operator-key-old-0123456789")
		a, err := other.Authenticate(h.Ctx, "operator-key-new-0123456789")
		if err == nil && a.IsOperator() && provisioning.IsCode(oldErr, provisioning.CodeUnauthorized) {
			break
		}
		if time.Since(start) > 3*time.Second {
			t.Fatalf("the other instance still has the old key after %v: new %v, old %v", time.Since(start), err, oldErr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
