package storetest

import (
	"testing"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

func testTokensAndSettings(t *testing.T, h *Harness) {
	o := h.CreateOrg("acme", 5, "owner@acme.com")
	org := o.Org.ID
	owner := h.MemberActor(o.Owner.Membership)
	admin := h.MemberActor(h.MustJoin(org, "admin@acme.com", provisioning.EntranceManual, provisioning.RoleAdmin).Membership)
	member := h.MemberActor(h.MustJoin(org, "m@acme.com", provisioning.EntranceManual, provisioning.RoleMember).Membership)
	viewer := h.MemberActor(h.MustJoin(org, "v@acme.com", provisioning.EntranceManual, provisioning.RoleViewer).Membership)

	ownerTok, err := h.Service.CreateToken(h.Ctx, owner, org, "owner", provisioning.TokenLimits{})
	if err != nil {
		t.Fatal(err)
	}
	memberTok, err := h.Service.CreateToken(h.Ctx, member, org, "member", provisioning.TokenLimits{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.Service.CreateToken(h.Ctx, viewer, org, "viewer", provisioning.TokenLimits{})
	WantCode(t, err, provisioning.CodeForbidden)

	h.Tx(func(tx provisioning.StoreTx) error {
		stored, err := tx.GetTokenByHash(h.Ctx, provisioning.HashSecret(ownerTok.Secret))
		if err != nil || stored.ID != ownerTok.ID || stored.Name != "owner" {
			t.Fatalf("GetTokenByHash: %+v %v", stored, err)
		}
		_, err = tx.GetTokenByHash(h.Ctx, provisioning.HashSecret("mwt_nope"))
		WantCode(t, err, provisioning.CodeNotFound)
		return tx.TouchToken(h.Ctx, stored.ID, h.Clock.Now().Add(time.Minute))
	})

	own, err := h.Service.ListTokens(h.Ctx, member, org, false)
	if err != nil || len(own) != 1 || own[0].ID != memberTok.ID {
		t.Fatalf("member's own tokens: %+v %v", own, err)
	}
	_, err = h.Service.ListTokens(h.Ctx, member, org, true)
	WantCode(t, err, provisioning.CodeForbidden)
	adminView, err := h.Service.ListTokens(h.Ctx, admin, org, true)
	if err != nil || len(adminView) != 1 || adminView[0].ID != memberTok.ID {
		t.Fatalf("admins see all but owners' tokens: %+v %v", adminView, err)
	}
	ownerView, err := h.Service.ListTokens(h.Ctx, owner, org, true)
	if err != nil || len(ownerView) != 2 || ownerView[1].LastUsedAt == nil && ownerView[0].LastUsedAt == nil {
		t.Fatalf("owners see every token with last use: %+v %v", ownerView, err)
	}
	WantCode(t, h.Service.RevokeToken(h.Ctx, admin, org, ownerTok.ID), provisioning.CodeForbidden)
	WantCode(t, h.Service.RevokeToken(h.Ctx, member, org, ownerTok.ID), provisioning.CodeNotFound)
	if err := h.Service.RevokeToken(h.Ctx, admin, org, memberTok.ID); err != nil {
		t.Fatal(err)
	}

	key, generated, err := h.Service.EnsureOperatorKey(h.Ctx, "")
	if err != nil || !generated || !provisioning.HasPrefix(key, provisioning.OperatorKeyPrefix) {
		t.Fatalf("first start generates a key: %q %v %v", key, generated, err)
	}
	if _, generated, _ := h.Service.EnsureOperatorKey(h.Ctx, ""); generated {
		t.Fatal("a second start generated another key")
	}
	if a, err := h.Service.Authenticate(h.Ctx, key); err != nil || !a.IsOperator() {
		t.Fatalf("operator key: %+v %v", a, err)
	}
	if _, _, err := h.Service.EnsureOperatorKey(h.Ctx, "configured-operator-key-123"); err != nil {
		t.Fatal(err)
	}
	_, err = h.Service.Authenticate(h.Ctx, key)
	WantCode(t, err, provisioning.CodeUnauthorized)
	if a, err := h.Service.Authenticate(h.Ctx, "configured-operator-key-123"); err != nil || !a.IsOperator() {
		t.Fatalf("configured key: %+v %v", a, err)
	}
}

func testAuditFilters(t *testing.T, h *Harness) {
	o := h.CreateOrg("acme", 5, "owner@acme.com")
	org := o.Org.ID
	owner := h.MemberActor(o.Owner.Membership)
	owner.Label = "owner@acme.com"
	h.Clock.Advance(time.Hour)
	start := h.Clock.Now()
	ann := h.MustJoin(org, "ann@acme.com", provisioning.EntranceSCIM, "").Membership
	h.Clock.Advance(time.Minute)
	if _, err := h.Service.ChangeRole(h.Ctx, owner, org, ann.ID, provisioning.RoleViewer); err != nil {
		t.Fatal(err)
	}
	list := func(q provisioning.AuditQuery) []provisioning.AuditEvent {
		q.OrgID = org
		ev, err := h.Service.ListAudit(h.Ctx, provisioning.Operator(), q)
		if err != nil {
			t.Fatal(err)
		}
		return ev
	}
	for _, actor := range []string{owner.ID, "Owner@Acme.com"} {
		if ev := list(provisioning.AuditQuery{Actor: actor}); len(ev) != 1 || ev[0].Action != "member.role_changed" ||
			string(ev[0].Before) == "" || string(ev[0].After) == "" {
			t.Fatalf("by actor %s: %+v", actor, ev)
		}
	}
	if ev := list(provisioning.AuditQuery{Actor: "nobody@acme.com"}); len(ev) != 0 {
		t.Fatalf("by an unknown actor: %+v", ev)
	}
	if ev := list(provisioning.AuditQuery{Since: start}); len(ev) != 2 || ev[0].Action != "member.role_changed" {
		t.Fatalf("since: %+v", ev)
	}
	if ev := list(provisioning.AuditQuery{Until: start}); len(ev) != 2 {
		t.Fatalf("until (org created and owner joined): %+v", ev)
	}
	if ev := list(provisioning.AuditQuery{Action: "member.joined", TargetID: ann.ID}); len(ev) != 1 || ev[0].Entrance != provisioning.EntranceSCIM {
		t.Fatalf("by action and target: %+v", ev)
	}
	page := list(provisioning.AuditQuery{Limit: 2})
	rest := list(provisioning.AuditQuery{Before: page[1].ID})
	if len(page) != 2 || len(rest) != 2 {
		t.Fatalf("paging: %d then %d", len(page), len(rest))
	}
	member := h.MemberActor(h.MustJoin(org, "m@acme.com", provisioning.EntranceManual, provisioning.RoleMember).Membership)
	_, err := h.Service.ListAudit(h.Ctx, member, provisioning.AuditQuery{OrgID: org})
	WantCode(t, err, provisioning.CodeForbidden)
}
