package storetest

import (
	"testing"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/seats"
	"github.com/rollcall/rollcall/store/sqlstore"
)

func testPipelineEveryEntrance(t *testing.T, h *Harness) {
	o := h.CreateOrg("acme", -1, "owner@acme.com")
	if o.Owner.Role != provisioning.RoleOwner || o.Owner.Source != provisioning.EntranceBootstrap || !o.Owner.HasSeat {
		t.Fatalf("bootstrap owner = %+v", o.Owner)
	}
	cases := []struct {
		entrance provisioning.Entrance
		role     provisioning.Role
		want     provisioning.Role
	}{
		{provisioning.EntranceSCIM, "", provisioning.RoleMember},
		{provisioning.EntranceSAML, provisioning.RoleAdmin, provisioning.RoleAdmin},
		{provisioning.EntranceOIDC, "", provisioning.RoleMember},
		{provisioning.EntranceDomain, provisioning.RoleViewer, provisioning.RoleViewer},
		{provisioning.EntranceInvite, provisioning.RoleAdmin, provisioning.RoleAdmin},
		{provisioning.EntranceInviteLink, provisioning.RoleMember, provisioning.RoleMember},
		{provisioning.EntranceManual, provisioning.RoleOwner, provisioning.RoleOwner},
	}
	for _, c := range cases {
		email := string(c.entrance) + "@acme.com"
		res := h.MustJoin(o.Org.ID, email, c.entrance, c.role)
		m := res.Membership
		if res.Outcome != provisioning.OutcomeCreated || !res.UserCreated || m.Role != c.want ||
			m.Source != c.entrance || m.Status != provisioning.StatusActive {
			t.Errorf("%s: outcome %s, membership %+v", c.entrance, res.Outcome, m)
		}
		events, err := h.Service.ListAudit(h.Ctx, provisioning.Operator(), provisioning.AuditQuery{OrgID: o.Org.ID, TargetID: m.ID})
		if err != nil || len(events) != 1 || events[0].Action != "member.joined" || events[0].Entrance != c.entrance {
			t.Errorf("%s: audit %+v %v", c.entrance, events, err)
		}
	}
	_, err := h.Join(o.Org.ID, "x@acme.com", provisioning.EntranceSCIM, provisioning.RoleOwner)
	WantCode(t, err, provisioning.CodeInvalid)
	_, err = h.Join(o.Org.ID, "not-an-email", provisioning.EntranceSCIM, "")
	WantCode(t, err, provisioning.CodeInvalid)
	_, err = h.Join("no-such-org", "x@acme.com", provisioning.EntranceSCIM, "")
	WantCode(t, err, provisioning.CodeNotFound)
}

func testPipelineIdempotent(t *testing.T, h *Harness) {
	o := h.CreateOrg("acme", 5, "owner@acme.com")
	first := h.MustJoin(o.Org.ID, " Ann@ACME.com ", provisioning.EntranceSCIM, "")
	second := h.MustJoin(o.Org.ID, "ann@acme.com", provisioning.EntranceSCIM, "")
	if second.Outcome != provisioning.OutcomeUnchanged || second.Membership.ID != first.Membership.ID || second.User.ID != first.User.ID {
		t.Fatalf("second run: %+v", second)
	}
	if first.User.Email != "ann@acme.com" {
		t.Errorf("email not normalized: %q", first.User.Email)
	}
	events, _ := h.Service.ListAudit(h.Ctx, provisioning.Operator(), provisioning.AuditQuery{OrgID: o.Org.ID, TargetID: first.Membership.ID})
	if len(events) != 1 {
		t.Errorf("a repeated request wrote %d audit events, want 1", len(events))
	}
	if r := h.Usage(o.Org.ID); r.Used != 2 {
		t.Errorf("seats used %d, want 2", r.Used)
	}
	_, err := h.Join(o.Org.ID, "ann@acme.com", provisioning.EntranceManual, provisioning.RoleMember)
	WantCode(t, err, provisioning.CodeConflict)
}

func testPipelineResurfaces(t *testing.T, h *Harness) {
	o := h.CreateOrg("acme", 5, "owner@acme.com")
	op := provisioning.Operator()
	res, err := h.Service.Provision(h.Ctx, provisioning.ProvisionRequest{OrgID: o.Org.ID, Entrance: provisioning.EntranceSCIM,
		Actor: provisioning.System(), Identity: provisioning.Identity{Email: "ann@acme.com", ExternalID: "okta-1", Groups: []string{"eng"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Service.Remove(h.Ctx, op, o.Org.ID, res.Membership.ID); err != nil {
		t.Fatal(err)
	}
	if r := h.Usage(o.Org.ID); r.Used != 1 {
		t.Fatalf("removal should free the seat: %+v", r)
	}
	for _, e := range []provisioning.Entrance{provisioning.EntranceDomain, provisioning.EntranceInviteLink, provisioning.EntranceSAML, provisioning.EntranceOIDC} {
		_, err := h.Join(o.Org.ID, "ann@acme.com", e, "")
		WantCode(t, err, provisioning.CodeForbidden)
	}
	back := h.MustJoin(o.Org.ID, "ann@acme.com", provisioning.EntranceInvite, provisioning.RoleMember)
	m := back.Membership
	if back.Outcome != provisioning.OutcomeResurfaced || m.ID != res.Membership.ID || m.ExternalID != "okta-1" ||
		len(m.Groups) != 1 || m.Status != provisioning.StatusActive || !m.JoinedAt.Equal(res.Membership.JoinedAt) {
		t.Fatalf("resurfaced %+v (%s)", m, back.Outcome)
	}
	events, _ := h.Service.ListAudit(h.Ctx, op, provisioning.AuditQuery{OrgID: o.Org.ID, TargetID: m.ID})
	if len(events) != 3 || events[0].Action != "member.resurfaced" {
		t.Fatalf("history not kept: %+v", events)
	}
}

func testPipelineSuspended(t *testing.T, h *Harness) {
	o := h.CreateOrg("acme", 2, "owner@acme.com")
	ann := h.MustJoin(o.Org.ID, "ann@acme.com", provisioning.EntranceSCIM, "")
	if _, err := h.Service.Suspend(h.Ctx, provisioning.Operator(), o.Org.ID, ann.Membership.ID); err != nil {
		t.Fatal(err)
	}
	_, err := h.Join(o.Org.ID, "ann@acme.com", provisioning.EntranceSAML, "")
	WantCode(t, err, provisioning.CodeForbidden)
	// The freed seat goes to someone else; SCIM reactivation then finds no seat and gives viewer.
	h.MustJoin(o.Org.ID, "bob@acme.com", provisioning.EntranceSCIM, "")
	back, err := h.Service.Provision(h.Ctx, provisioning.ProvisionRequest{OrgID: o.Org.ID, Entrance: provisioning.EntranceSCIM,
		Actor: provisioning.System(), Reactivate: true, Identity: provisioning.Identity{Email: "ann@acme.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if back.Outcome != provisioning.OutcomeReactivated || back.Membership.Role != provisioning.RoleViewer || back.SeatWithheld != seats.ReasonNoFreeSeat {
		t.Fatalf("reactivated %+v %s %q", back.Membership, back.Outcome, back.SeatWithheld)
	}
}

func testPipelineSeatRules(t *testing.T, h *Harness) {
	o := h.CreateOrg("acme", 2, "owner@acme.com")
	h.MustJoin(o.Org.ID, "a@acme.com", provisioning.EntranceSCIM, "")
	full := h.MustJoin(o.Org.ID, "b@acme.com", provisioning.EntranceDomain, "")
	if full.Membership.Role != provisioning.RoleViewer || full.SeatWithheld != seats.ReasonNoFreeSeat {
		t.Fatalf("automatic join when full: %+v %q", full.Membership, full.SeatWithheld)
	}
	events, _ := h.Service.ListAudit(h.Ctx, provisioning.Operator(), provisioning.AuditQuery{OrgID: o.Org.ID, TargetID: full.Membership.ID})
	if len(events) != 1 || events[0].Reason == "" {
		t.Fatalf("audit should say why: %+v", events)
	}
	_, err := h.Join(o.Org.ID, "c@acme.com", provisioning.EntranceManual, provisioning.RoleMember)
	WantCode(t, err, provisioning.CodeSeatLimit)
	inv := h.MustJoin(o.Org.ID, "d@acme.com", provisioning.EntranceInvite, provisioning.RoleMember)
	if inv.Membership.Role != provisioning.RoleViewer {
		t.Fatalf("accepted invitation without a seat should join as viewer: %+v", inv.Membership)
	}
	viewer := h.MustJoin(o.Org.ID, "e@acme.com", provisioning.EntranceManual, provisioning.RoleViewer)
	if viewer.Membership.Role != provisioning.RoleViewer {
		t.Fatalf("viewers need no seat: %+v", viewer.Membership)
	}
	if r := h.Usage(o.Org.ID); r.Used != 2 || r.Display != "2 / 2" || r.WaitingViewers != 3 {
		t.Fatalf("usage %+v", r)
	}

	off := h.CreateOrg("off", 10, "owner@off.com")
	settings := off.Org.Settings
	settings.AutoAssignSeats = false
	if _, err := h.Service.UpdateSettings(h.Ctx, provisioning.Operator(), off.Org.ID, settings.AsChange()); err != nil {
		t.Fatal(err)
	}
	auto := h.MustJoin(off.Org.ID, "x@off.com", provisioning.EntranceSAML, "")
	if auto.Membership.Role != provisioning.RoleViewer || auto.SeatWithheld != seats.ReasonAutoAssignOff {
		t.Fatalf("auto-assign off: %+v %q", auto.Membership, auto.SeatWithheld)
	}
	manual := h.MustJoin(off.Org.ID, "y@off.com", provisioning.EntranceManual, provisioning.RoleMember)
	if manual.Membership.Role != provisioning.RoleMember {
		t.Fatalf("auto-assign off does not apply to explicit adds: %+v", manual.Membership)
	}
}

func testPipelineRoleMapping(t *testing.T, h *Harness) {
	o := h.CreateOrg("acme", 3, "owner@acme.com")
	h.VerifyDomain(o.Org.ID, "acme.com") // so acme's IdP speaks for the owner's address
	h.MustJoin(o.Org.ID, "ann@acme.com", provisioning.EntranceSAML, provisioning.RoleAdmin)
	down := h.MustJoin(o.Org.ID, "ann@acme.com", provisioning.EntranceSAML, provisioning.RoleMember)
	if down.Outcome != provisioning.OutcomeUpdated || down.Membership.Role != provisioning.RoleMember {
		t.Fatalf("mapped downgrade: %+v", down)
	}
	noMap := h.MustJoin(o.Org.ID, "ann@acme.com", provisioning.EntranceDomain, provisioning.RoleViewer)
	if noMap.Membership.Role != provisioning.RoleMember {
		t.Fatalf("domain sign-in must not change an existing role: %+v", noMap.Membership)
	}
	owner := h.MustJoin(o.Org.ID, "owner@acme.com", provisioning.EntranceOIDC, provisioning.RoleViewer)
	if owner.Membership.Role != provisioning.RoleOwner {
		t.Fatalf("an IdP mapping must never demote an owner: %+v", owner.Membership)
	}
	h.MustJoin(o.Org.ID, "bob@acme.com", provisioning.EntranceSCIM, "")
	h.MustJoin(o.Org.ID, "cat@acme.com", provisioning.EntranceSCIM, provisioning.RoleViewer)
	up := h.MustJoin(o.Org.ID, "cat@acme.com", provisioning.EntranceSCIM, provisioning.RoleAdmin)
	if up.Membership.Role != provisioning.RoleViewer || up.SeatWithheld != seats.ReasonNoFreeSeat {
		t.Fatalf("mapped upgrade without a seat should stay viewer: %+v %q", up.Membership, up.SeatWithheld)
	}
}

// testPipelineIdentityMatching: who an org's IdP reaches. A linked subject is its account (an
// email change follows at domains the org verified); an existing account is reached by email
// only at the org's verified domains and only by one subject per connection; an email nobody
// holds makes a new, unproven account; another org's domain is refused outright.
func testPipelineIdentityMatching(t *testing.T, h *Harness) {
	o := h.CreateOrg("acme", -1, "owner@acme.com")
	h.VerifyDomain(o.Org.ID, "acme.com")
	rival := h.CreateOrg("rival", -1, "ceo@rival.com")
	h.VerifyDomain(rival.Org.ID, "rival.com")
	h.MustJoin(rival.Org.ID, "victim@gmail.com", provisioning.EntranceManual, provisioning.RoleMember)
	arrive := func(email, subject string) (provisioning.ProvisionResult, error) {
		return h.Service.Provision(h.Ctx, provisioning.ProvisionRequest{OrgID: o.Org.ID, Entrance: provisioning.EntranceOIDC, Actor: provisioning.System(),
			Identity: provisioning.Identity{Email: email, EmailVerified: true, Issuer: "oidc:conn1", Subject: subject, FirstName: "Ann"}})
	}
	first, err := arrive("ann@acme.com", "sub-1")
	if err != nil || !first.UserCreated || !first.User.EmailVerified {
		t.Fatalf("a new person at the org's domain: %+v %v", first.User, err)
	}
	renamed, err := arrive("ann.new@acme.com", "sub-1")
	if err != nil || renamed.User.ID != first.User.ID || renamed.User.Email != "ann.new@acme.com" {
		t.Fatalf("a known subject with a new email at the org's domain: %+v %v", renamed.User, err)
	}
	linked, err := arrive("owner@acme.com", "sub-owner")
	if err != nil || linked.User.ID != o.Owner.UserID {
		t.Fatalf("at the org's verified domain the IdP links to the existing account: %+v %v", linked.User, err)
	}
	_, err = arrive("owner@acme.com", "sub-intruder")
	WantCode(t, err, provisioning.CodeForbidden)
	_, err = arrive("victim@gmail.com", "sub-victim")
	WantCode(t, err, provisioning.CodeForbidden)
	for _, email := range []string{"ceo@rival.com", "newcomer@rival.com"} {
		_, err = arrive(email, "sub-"+email)
		WantCode(t, err, provisioning.CodeForbidden)
	}
	stranger, err := arrive("new@unclaimed.io", "sub-new")
	if err != nil || !stranger.UserCreated || stranger.User.EmailVerified {
		t.Fatalf("an address nobody holds makes a new, unproven account: %+v %v", stranger.User, err)
	}
	transient := func() (provisioning.ProvisionResult, error) {
		return h.Service.Provision(h.Ctx, provisioning.ProvisionRequest{OrgID: o.Org.ID, Entrance: provisioning.EntranceSAML, Actor: provisioning.System(),
			Identity: provisioning.Identity{Email: "temp@unclaimed.io", Issuer: "saml:conn2", Transient: true}})
	}
	again, err := transient()
	if err != nil {
		t.Fatal(err)
	}
	if next, err := transient(); err != nil || next.User.ID != again.User.ID {
		t.Fatalf("a transient arrival is matched by email at its connection: %+v %v", next.User, err)
	}
	h.Tx(func(tx provisioning.StoreTx) error {
		if _, err := tx.FindUserIdentity(h.Ctx, o.Owner.UserID, "oidc:conn1"); err != nil {
			t.Errorf("the owner's link: %v", err)
		}
		return nil
	})
}

// testPipelineProofDisownsEarlierLinks: an org's IdP can create an account for an address at a
// domain nobody verified, unproven. When the address is proven (an email link, or the IdP of the
// org that verified the domain since), the earlier links and sessions are cut off, so the first
// IdP cannot sign in as the account's real owner.
func testPipelineProofDisownsEarlierLinks(t *testing.T, h *Harness) {
	evil := h.CreateOrg("evil", -1, "mallory@evil.com")
	acme := h.CreateOrg("acme2", -1, "owner@acme2.com")
	arrive := func(org, issuer, email string) (provisioning.ProvisionResult, error) {
		return h.Service.Provision(h.Ctx, provisioning.ProvisionRequest{OrgID: org, Entrance: provisioning.EntranceSAML,
			Actor: provisioning.System(), Identity: provisioning.Identity{Email: email, EmailVerified: true, Issuer: issuer, Subject: "victim"}})
	}
	preAccount := func(email string) (provisioning.ProvisionResult, provisioning.Session) {
		t.Helper()
		pre, err := arrive(evil.Org.ID, "saml:evil", email)
		if err != nil || pre.User.EmailVerified {
			t.Fatalf("the evil IdP's arrival: %+v %v", pre.User, err)
		}
		var session provisioning.Session
		h.Tx(func(tx provisioning.StoreTx) error {
			_, session, err = h.Service.StartSession(h.Ctx, provisioning.Wrap(tx), pre.User.ID, evil.Org.ID)
			return err
		})
		return pre, session
	}
	cutOff := func(userID string, session provisioning.Session) {
		t.Helper()
		h.Tx(func(tx provisioning.StoreTx) error {
			WantCode(t, errOf(tx.FindIdentity(h.Ctx, "saml:evil", "victim")), provisioning.CodeNotFound)
			ended, err := tx.(*sqlstore.Tx).SessionEnded(h.Ctx, session.ID)
			if err == nil && !ended {
				t.Error("the unproven session goes on")
			}
			return err
		})
	}

	pre, session := preAccount("victim@gmail.com")
	var proven provisioning.User
	h.Tx(func(tx provisioning.StoreTx) error {
		var err error
		proven, err = h.Service.ProveEmailTx(h.Ctx, provisioning.Wrap(tx), "Victim@Gmail.com")
		return err
	})
	if proven.ID != pre.User.ID || !proven.EmailVerified {
		t.Fatalf("the email link's proof: %+v", proven)
	}
	cutOff(pre.User.ID, session)
	_, err := arrive(evil.Org.ID, "saml:evil", "victim@gmail.com")
	WantCode(t, err, provisioning.CodeForbidden)

	pre, session = preAccount("victim@newcorp.com")
	h.VerifyDomain(acme.Org.ID, "newcorp.com")
	byIdP, err := arrive(acme.Org.ID, "saml:acme", "victim@newcorp.com")
	if err != nil || byIdP.User.ID != pre.User.ID || !byIdP.User.EmailVerified {
		t.Fatalf("the IdP of the org holding the domain: %+v %v", byIdP.User, err)
	}
	cutOff(pre.User.ID, session)
	h.Tx(func(tx provisioning.StoreTx) error {
		if kept, err := tx.FindIdentity(h.Ctx, "saml:acme", "victim"); err != nil || kept.ID != pre.User.ID {
			t.Errorf("the proving identity is kept: %+v %v", kept, err)
		}
		return nil
	})
	_, err = arrive(evil.Org.ID, "saml:evil", "victim@newcorp.com")
	WantCode(t, err, provisioning.CodeForbidden)
}
