package storetest

import (
	"testing"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

func testOwnerRules(t *testing.T, h *Harness) {
	o := h.CreateOrg("acme", -1, "owner@acme.com")
	org := o.Org.ID
	owner := h.MemberActor(o.Owner.Membership)
	_, err := h.Service.ChangeRole(h.Ctx, owner, org, o.Owner.ID, provisioning.RoleAdmin)
	WantCode(t, err, provisioning.CodeLastOwner)
	_, err = h.Service.Remove(h.Ctx, owner, org, o.Owner.ID)
	WantCode(t, err, provisioning.CodeLastOwner)
	_, err = h.Service.Leave(h.Ctx, owner, org)
	WantCode(t, err, provisioning.CodeLastOwner)
	_, err = h.Service.Suspend(h.Ctx, provisioning.Operator(), org, o.Owner.ID)
	WantCode(t, err, provisioning.CodeLastOwner)

	admin := h.MustJoin(org, "admin@acme.com", provisioning.EntranceManual, provisioning.RoleAdmin).Membership
	_, err = h.Service.ChangeRole(h.Ctx, h.MemberActor(admin), org, admin.ID, provisioning.RoleOwner)
	WantCode(t, err, provisioning.CodeForbidden)
	_, err = h.Service.ChangeRole(h.Ctx, h.MemberActor(admin), org, o.Owner.ID, provisioning.RoleMember)
	WantCode(t, err, provisioning.CodeForbidden)

	moved, err := h.Service.TransferOwnership(h.Ctx, owner, org, admin.ID)
	if err != nil || moved.Role != provisioning.RoleOwner {
		t.Fatalf("transfer: %+v %v", moved, err)
	}
	former, err := h.Service.GetMember(h.Ctx, provisioning.Operator(), org, o.Owner.ID)
	if err != nil || former.Role != provisioning.RoleAdmin {
		t.Fatalf("the former owner should be admin: %+v %v", former, err)
	}
	_, err = h.Service.TransferOwnership(h.Ctx, owner, org, admin.ID)
	WantCode(t, err, provisioning.CodeForbidden)

	newOwner := h.MemberActor(moved.Membership)
	if _, err := h.Service.ChangeRole(h.Ctx, newOwner, org, o.Owner.ID, provisioning.RoleOwner); err != nil {
		t.Fatalf("owner promotes: %v", err)
	}
	if _, err := h.Service.ChangeRole(h.Ctx, newOwner, org, moved.ID, provisioning.RoleMember); err != nil {
		t.Fatalf("an owner may step down while another owner remains: %v", err)
	}
	if _, err := h.Service.Leave(h.Ctx, h.MemberActor(o.Owner.Membership), org); err == nil {
		t.Fatal("the only remaining owner left")
	}
}

func testRemoval(t *testing.T, h *Harness) {
	o := h.CreateOrg("acme", 3, "owner@acme.com")
	org := o.Org.ID
	ann := h.MustJoin(org, "ann@acme.com", provisioning.EntranceManual, provisioning.RoleMember).Membership
	other := h.CreateOrg("other", 3, "ann@acme.com")
	tok, err := h.Service.CreateToken(h.Ctx, h.MemberActor(ann), org, "laptop", provisioning.TokenLimits{})
	if err != nil {
		t.Fatal(err)
	}
	var sessionID, secret string
	h.Tx(func(tx provisioning.StoreTx) error {
		var sess provisioning.Session
		var err error
		secret, sess, err = h.Service.StartSession(h.Ctx, provisioning.Wrap(tx), ann.UserID, org)
		sessionID = sess.ID
		return err
	})
	if _, u, err := h.Service.SessionUser(h.Ctx, secret); err != nil || u.ID != ann.UserID {
		t.Fatalf("session: %+v %v", u, err)
	}
	if _, err := h.Service.ListTokens(h.Ctx, provisioning.UserActor(provisioning.User{ID: ann.UserID}), org, false); err != nil {
		t.Fatalf("a signed-in member acts with their membership: %v", err)
	}
	if _, err := h.Service.Remove(h.Ctx, h.MemberActor(o.Owner.Membership), org, ann.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Service.Authenticate(h.Ctx, tok.Secret); !provisioning.IsCode(err, provisioning.CodeUnauthorized) {
		t.Fatalf("a removed member's token still works: %v", err)
	}
	if ended := sessionEnded(h, sessionID); !ended {
		t.Fatal("removal did not end the session")
	}
	_, _, err = h.Service.SessionUser(h.Ctx, secret)
	WantCode(t, err, provisioning.CodeUnauthorized)
	_, err = h.Service.ListTokens(h.Ctx, provisioning.UserActor(provisioning.User{ID: ann.UserID}), org, false)
	WantCode(t, err, provisioning.CodeForbidden)
	if r := h.Usage(org); r.Used != 1 {
		t.Fatalf("seat not freed: %+v", r)
	}
	if _, err := h.Service.GetMember(h.Ctx, provisioning.Operator(), other.Org.ID, other.Owner.ID); err != nil {
		t.Fatalf("removal touched the user's other org: %v", err)
	}
	orgs, err := h.Service.UserOrgs(h.Ctx, ann.UserID)
	if err != nil || len(orgs) != 1 || orgs[0].Org.Slug != "other" || orgs[0].Membership.Role != provisioning.RoleOwner || !orgs[0].HasSeat {
		t.Fatalf("the user's orgs after removal from acme: %+v %v", orgs, err)
	}
	events, _ := h.Service.ListAudit(h.Ctx, provisioning.Operator(), provisioning.AuditQuery{OrgID: org, TargetID: ann.ID})
	if len(events) < 2 || events[0].Action != "member.removed" {
		t.Fatalf("audit history: %+v", events)
	}
}

func testAssignSeats(t *testing.T, h *Harness) {
	o := h.CreateOrg("acme", 3, "owner@acme.com")
	org := o.Org.ID
	for _, e := range []string{"v1@acme.com", "v2@acme.com", "v3@acme.com", "v4@acme.com"} {
		h.MustJoin(org, e, provisioning.EntranceManual, provisioning.RoleViewer)
		h.Clock.Advance(time.Second)
	}
	out, err := h.Service.AssignSeatsToViewers(h.Ctx, provisioning.Operator(), org)
	if err != nil || out.Promoted != 2 || out.Waiting != 2 || out.Seats.Used != 3 {
		t.Fatalf("assign: %+v %v", out, err)
	}
	for email, want := range map[string]provisioning.Role{"v1@acme.com": provisioning.RoleMember,
		"v2@acme.com": provisioning.RoleMember, "v3@acme.com": provisioning.RoleViewer} {
		if got := findMember(t, h, org, email).Role; got != want {
			t.Errorf("%s is %s, want %s (earliest joined first)", email, got, want)
		}
	}
	again, err := h.Service.AssignSeatsToViewers(h.Ctx, provisioning.Operator(), org)
	if err != nil || again.Promoted != 0 || again.Waiting != 2 {
		t.Fatalf("second assign: %+v %v", again, err)
	}
	v3 := findMember(t, h, org, "v3@acme.com")
	_, err = h.Service.ChangeRole(h.Ctx, provisioning.Operator(), org, v3.ID, provisioning.RoleMember)
	WantCode(t, err, provisioning.CodeSeatLimit)
}

func testAuthenticateFresh(t *testing.T, h *Harness) {
	o := h.CreateOrg("acme", 5, "owner@acme.com")
	org := o.Org.ID
	ann := h.MustJoin(org, "ann@acme.com", provisioning.EntranceManual, provisioning.RoleAdmin).Membership
	tok, err := h.Service.CreateToken(h.Ctx, h.MemberActor(ann), org, "ci", provisioning.TokenLimits{})
	if err != nil || !provisioning.HasPrefix(tok.Secret, provisioning.TokenPrefix) {
		t.Fatalf("create token: %+v %v", tok, err)
	}
	actor, err := h.Service.Authenticate(h.Ctx, tok.Secret)
	if err != nil || actor.Role != provisioning.RoleAdmin || actor.ID != ann.ID {
		t.Fatalf("authenticate: %+v %v", actor, err)
	}
	if _, err := h.Service.ChangeRole(h.Ctx, h.MemberActor(o.Owner.Membership), org, ann.ID, provisioning.RoleMember); err != nil {
		t.Fatal(err)
	}
	_, err = h.Service.ListMembers(h.Ctx, actor, provisioning.MemberQuery{OrgID: org})
	WantCode(t, err, provisioning.CodeForbidden)
	actor, _ = h.Service.Authenticate(h.Ctx, tok.Secret)
	if actor.Role != provisioning.RoleMember {
		t.Fatalf("role change not seen at once: %+v", actor)
	}
	if err := h.Service.RevokeToken(h.Ctx, h.MemberActor(o.Owner.Membership), org, tok.ID); err != nil {
		t.Fatal(err)
	}
	_, err = h.Service.Authenticate(h.Ctx, tok.Secret)
	WantCode(t, err, provisioning.CodeUnauthorized)
	_, err = h.Service.Authenticate(h.Ctx, tok.Secret+"x")
	WantCode(t, err, provisioning.CodeUnauthorized)
}
