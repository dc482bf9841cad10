package storetest

import (
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

func testSSO(t *testing.T, h *Harness) {
	a := h.CreateOrg("acme", 5, "owner@acme.com")
	b := h.CreateOrg("rival", 5, "owner@rival.com").Org.ID
	now := h.Clock.Now()
	conn := provisioning.SSOConnection{ID: provisioning.NewID(), OrgID: a.Org.ID, Protocol: "oidc", Name: "Okta",
		Enabled: true, Config: json.RawMessage(`{"issuer":"https://idp.example"}`), Secret: []byte{1, 2, 3},
		CreatedAt: now, UpdatedAt: now}
	saml := conn
	saml.ID, saml.Protocol, saml.Secret, saml.CreatedAt = provisioning.NewID(), "saml", nil, now.Add(time.Second)
	h.Tx(func(tx provisioning.StoreTx) error {
		for _, c := range []provisioning.SSOConnection{conn, saml} {
			if err := tx.InsertSSOConnection(h.Ctx, c); err != nil {
				t.Fatalf("insert connection: %v", err)
			}
		}
		return nil
	})
	h.Tx(func(tx provisioning.StoreTx) error {
		got, err := tx.GetSSOConnection(h.Ctx, conn.ID)
		if err != nil || got.OrgID != a.Org.ID || string(got.Config) != string(conn.Config) || len(got.Secret) != 3 || !got.Enabled {
			t.Fatalf("get: %+v %v", got, err)
		}
		list, err := tx.ListSSOConnections(h.Ctx, a.Org.ID)
		if err != nil || len(list) != 2 || list[0].ID != conn.ID || list[1].Secret != nil {
			t.Fatalf("list: %+v %v", list, err)
		}
		other, err := tx.ListSSOConnections(h.Ctx, b)
		if err != nil || len(other) != 0 {
			t.Fatalf("another org sees %d connections: %v", len(other), err)
		}
		byProtocol, err := tx.ListSSOConnectionsByProtocol(h.Ctx, "saml")
		if err != nil || len(byProtocol) != 1 || byProtocol[0].ID != saml.ID {
			t.Fatalf("SAML connections of every org: %+v %v", byProtocol, err)
		}
		got.Name, got.Enabled, got.Secret = "Okta prod", false, nil
		if err := tx.UpdateSSOConnection(h.Ctx, got); err != nil {
			t.Fatalf("update: %v", err)
		}
		WantCode(t, tx.DeleteSSOConnection(h.Ctx, b, conn.ID), provisioning.CodeNotFound)
		return nil
	})
	h.Tx(func(tx provisioning.StoreTx) error {
		got, err := tx.GetSSOConnection(h.Ctx, conn.ID)
		if err != nil || got.Name != "Okta prod" || got.Enabled || got.Secret != nil {
			t.Fatalf("after update: %+v %v", got, err)
		}
		return nil
	})
	testSSOFlows(t, h, conn)
	testSSOTestFlows(t, h, conn)
	testSSOCodes(t, h, a)
	testSSOReplay(t, h, conn.ID)
	h.Tx(func(tx provisioning.StoreTx) error { return tx.DeleteSSOConnection(h.Ctx, a.Org.ID, conn.ID) })
	h.Tx(func(tx provisioning.StoreTx) error {
		_, err := tx.GetSSOConnection(h.Ctx, conn.ID)
		WantCode(t, err, provisioning.CodeNotFound)
		return nil
	})
}

func testSSOFlows(t *testing.T, h *Harness, conn provisioning.SSOConnection) {
	now := h.Clock.Now()
	f := provisioning.SSOFlow{ID: provisioning.NewID(), ConnectionID: conn.ID, OrgID: conn.OrgID, RequestID: "id-1",
		Nonce: "n", Verifier: "v", BrowserHash: []byte("b"), RedirectURI: "https://app/cb", AppState: "s",
		CreatedAt: now, ExpiresAt: now.Add(10 * time.Minute)}
	hash := provisioning.HashSecret("flow-secret")
	h.Tx(func(tx provisioning.StoreTx) error { return tx.InsertSSOFlow(h.Ctx, f, hash) })
	h.Tx(func(tx provisioning.StoreTx) error {
		got, err := tx.GetSSOFlow(h.Ctx, hash)
		if err != nil || got.RequestID != "id-1" || got.Nonce != "n" || string(got.BrowserHash) != "b" || got.UsedAt != nil {
			t.Fatalf("get flow: %+v %v", got, err)
		}
		return nil
	})
	// Two concurrent callbacks: exactly one consumes the flow.
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for range 8 {
		wg.Go(func() {
			err := h.Store.Update(h.Ctx, func(tx provisioning.StoreTx) error {
				_, err := tx.ConsumeSSOFlow(h.Ctx, hash, now.Add(time.Minute))
				return err
			})
			if err == nil {
				mu.Lock()
				wins++
				mu.Unlock()
			} else if !provisioning.IsCode(err, provisioning.CodeNotFound) {
				t.Errorf("consume: %v", err)
			}
		})
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d callbacks consumed one flow", wins)
	}
	expired := f
	expired.ID = provisioning.NewID()
	h.Tx(func(tx provisioning.StoreTx) error {
		return tx.InsertSSOFlow(h.Ctx, expired, provisioning.HashSecret("old"))
	})
	h.Tx(func(tx provisioning.StoreTx) error {
		_, err := tx.ConsumeSSOFlow(h.Ctx, provisioning.HashSecret("old"), now.Add(10*time.Minute))
		WantCode(t, err, provisioning.CodeNotFound)
		return nil
	})
}

// testSSOTestFlows: a test flow keeps who started it and where its result shows; finishing it
// stores the result once, keeps the row until the time given, and never finishes a real flow.
func testSSOTestFlows(t *testing.T, h *Harness, conn provisioning.SSOConnection) {
	now := h.Clock.Now()
	test := provisioning.SSOFlow{ID: provisioning.NewID(), ConnectionID: conn.ID, OrgID: conn.OrgID, RequestID: "id-t",
		TestBy: "user-1", TestReturn: "/console/acme/sso/x/test", CreatedAt: now, ExpiresAt: now.Add(10 * time.Minute)}
	real := test
	real.ID, real.TestBy, real.TestReturn = provisioning.NewID(), "", ""
	h.Tx(func(tx provisioning.StoreTx) error {
		if err := tx.InsertSSOFlow(h.Ctx, test, provisioning.HashSecret("test")); err != nil {
			return err
		}
		return tx.InsertSSOFlow(h.Ctx, real, provisioning.HashSecret("real"))
	})
	keep := now.Add(time.Hour)
	h.Tx(func(tx provisioning.StoreTx) error {
		got, err := tx.GetSSOFlowByID(h.Ctx, test.ID)
		if err != nil || got.TestBy != "user-1" || got.TestReturn != test.TestReturn || got.TestResult != nil {
			t.Fatalf("get test flow: %+v %v", got, err)
		}
		_, err = tx.FinishSSOTest(h.Ctx, provisioning.HashSecret("real"), now, json.RawMessage(`{}`), keep)
		WantCode(t, err, provisioning.CodeNotFound)
		got, err = tx.FinishSSOTest(h.Ctx, provisioning.HashSecret("test"), now.Add(time.Minute), json.RawMessage(`{"ok":true}`), keep)
		if err != nil || got.UsedAt == nil || string(got.TestResult) != `{"ok":true}` || !got.ExpiresAt.Equal(keep) {
			t.Fatalf("finish test: %+v %v", got, err)
		}
		_, err = tx.FinishSSOTest(h.Ctx, provisioning.HashSecret("test"), now.Add(time.Minute), json.RawMessage(`{}`), keep)
		WantCode(t, err, provisioning.CodeNotFound)
		_, err = tx.GetSSOFlowByID(h.Ctx, "nope")
		WantCode(t, err, provisioning.CodeNotFound)
		return nil
	})
	h.Tx(func(tx provisioning.StoreTx) error {
		if _, err := tx.PurgeSSO(h.Ctx, now.Add(30*time.Minute)); err != nil {
			return err
		}
		got, err := tx.GetSSOFlowByID(h.Ctx, test.ID)
		if err != nil || string(got.TestResult) != `{"ok":true}` {
			t.Fatalf("a finished test was purged before its time: %+v %v", got, err)
		}
		return nil
	})
}

func testSSOCodes(t *testing.T, h *Harness, o provisioning.OrgWithOwner) {
	now := h.Clock.Now()
	c := provisioning.SSOCode{ID: provisioning.NewID(), OrgID: o.Org.ID, ConnectionID: "c", UserID: o.Owner.UserID,
		MembershipID: o.Owner.Membership.ID, RedirectURI: "https://app/cb", Groups: []string{"eng", "ops"},
		CreatedAt: now, ExpiresAt: now.Add(time.Minute)}
	nogroups := c
	nogroups.ID, nogroups.Groups = provisioning.NewID(), nil
	h.Tx(func(tx provisioning.StoreTx) error {
		return tx.InsertSSOCode(h.Ctx, c, provisioning.HashSecret("code"))
	})
	_ = h.Store.Update(h.Ctx, func(tx provisioning.StoreTx) error {
		WantCode(t, tx.InsertSSOCode(h.Ctx, nogroups, provisioning.HashSecret("code")), provisioning.CodeConflict)
		return errStop
	})
	h.Tx(func(tx provisioning.StoreTx) error {
		return tx.InsertSSOCode(h.Ctx, nogroups, provisioning.HashSecret("code2"))
	})
	h.Tx(func(tx provisioning.StoreTx) error {
		got, err := tx.ConsumeSSOCode(h.Ctx, provisioning.HashSecret("code"), now.Add(time.Second))
		if err != nil || got.MembershipID != c.MembershipID || len(got.Groups) != 2 || got.Groups[1] != "ops" || got.UsedAt == nil {
			t.Fatalf("consume code: %+v %v", got, err)
		}
		_, err = tx.ConsumeSSOCode(h.Ctx, provisioning.HashSecret("code"), now.Add(time.Second))
		WantCode(t, err, provisioning.CodeNotFound)
		got, err = tx.ConsumeSSOCode(h.Ctx, provisioning.HashSecret("code2"), now.Add(time.Second))
		if err != nil || got.Groups != nil {
			t.Fatalf("code without groups: %+v %v", got, err)
		}
		return nil
	})
}

func testSSOReplay(t *testing.T, h *Harness, connID string) {
	now := h.Clock.Now()
	h.Tx(func(tx provisioning.StoreTx) error {
		return tx.RecordSSOAssertion(h.Ctx, connID, "id-a", now.Add(time.Minute))
	})
	_ = h.Store.Update(h.Ctx, func(tx provisioning.StoreTx) error {
		WantCode(t, tx.RecordSSOAssertion(h.Ctx, connID, "id-a", now.Add(time.Minute)), provisioning.CodeConflict)
		return errStop
	})
	h.Tx(func(tx provisioning.StoreTx) error {
		if err := tx.RecordSSOAssertion(h.Ctx, "other-connection", "id-a", now.Add(time.Minute)); err != nil {
			t.Fatalf("same id at another connection: %v", err)
		}
		n, err := tx.PurgeSSO(h.Ctx, now.Add(11*time.Minute))
		if err != nil || n < 3 {
			t.Fatalf("purge removed %d rows: %v", n, err)
		}
		return nil
	})
	h.Tx(func(tx provisioning.StoreTx) error {
		if err := tx.RecordSSOAssertion(h.Ctx, connID, "id-a", now.Add(time.Hour)); err != nil {
			t.Fatalf("an id is free again after its expiry is purged: %v", err)
		}
		return nil
	})
}
