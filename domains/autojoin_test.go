package domains_test

import (
	"strings"
	"testing"

	"github.com/rollcall/rollcall/domains"
	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/seats"
)

func signIn(email string, verified bool) provisioning.User {
	return provisioning.User{Email: email, EmailVerified: verified, FirstName: "Ann", LastName: "Lee"}
}

// membership returns the membership of email in org, or a zero one.
func (e *env) membership(orgID, email string) provisioning.Membership {
	e.t.Helper()
	var m provisioning.Membership
	_ = e.h.Store.View(e.h.Ctx, func(tx provisioning.StoreTx) error {
		u, err := tx.GetUserByEmail(e.h.Ctx, email)
		if err != nil {
			return err
		}
		m, err = tx.GetMembership(e.h.Ctx, orgID, u.ID)
		return err
	})
	return m
}

func TestAutoJoinVerifiedEmail(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		org := e.acme.Org.ID
		d := e.verified("acme.com", true)
		if err := e.svc.OnSignIn(e.h.Ctx, signIn("Ann@ACME.com", true)); err != nil {
			t.Fatal(err)
		}
		m := e.membership(org, "ann@acme.com")
		if m.Status != provisioning.StatusActive || m.Role != provisioning.RoleMember || !m.HasSeat() || m.Source != provisioning.EntranceDomain {
			t.Fatalf("joined: %+v", m)
		}
		ev, _ := e.h.Service.ListAudit(e.h.Ctx, provisioning.Operator(), provisioning.AuditQuery{OrgID: org, TargetID: m.ID})
		if len(ev) != 1 || ev[0].Action != "member.joined" || ev[0].Entrance != provisioning.EntranceDomain ||
			ev[0].ActorID != d.ID || !strings.Contains(ev[0].Reason, "acme.com") {
			t.Fatalf("audit: %+v", ev)
		}
		// Signing in again changes nothing.
		res, err := e.svc.AutoJoin(e.h.Ctx, signIn("ann@acme.com", true))
		if err != nil || len(res) != 0 {
			t.Fatalf("second sign-in: %+v %v", res, err)
		}
		// An unverified email never triggers a join.
		if res, err := e.svc.AutoJoin(e.h.Ctx, signIn("bob@acme.com", false)); err != nil || len(res) != 0 {
			t.Fatalf("unverified email: %+v %v", res, err)
		}
		if m := e.membership(org, "bob@acme.com"); m.ID != "" {
			t.Fatalf("unverified email joined: %+v", m)
		}
		// Another domain, a subdomain and a malformed email do nothing.
		for _, email := range []string{"cat@other.com", "cat@eng.acme.com", "not-an-email"} {
			if res, err := e.svc.AutoJoin(e.h.Ctx, signIn(email, true)); err != nil || len(res) != 0 {
				t.Fatalf("%s: %+v %v", email, res, err)
			}
		}
	})
}

func TestAutoJoinNeedsVerifiedDomainWithAutoJoinOn(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		org := e.acme.Org.ID
		e.add(e.owner, org, "pending.com", true)
		e.verified("quiet.com", false)
		for _, email := range []string{"ann@pending.com", "ann@quiet.com"} {
			if res, err := e.svc.AutoJoin(e.h.Ctx, signIn(email, true)); err != nil || len(res) != 0 {
				t.Fatalf("%s: %+v %v", email, res, err)
			}
		}
		on := true
		if _, err := e.svc.Update(e.h.Ctx, e.owner, org, "quiet.com", domains.UpdateInput{AutoJoin: &on}); err != nil {
			t.Fatal(err)
		}
		if res, err := e.svc.AutoJoin(e.h.Ctx, signIn("ann@quiet.com", true)); err != nil || len(res) != 1 {
			t.Fatalf("after turning auto-join on: %+v %v", res, err)
		}
	})
}

func TestAutoJoinNeverReaddsSuspendedOrRemoved(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		org := e.acme.Org.ID
		e.verified("acme.com", true)
		sus := e.h.MustJoin(org, "sus@acme.com", provisioning.EntranceManual, provisioning.RoleMember).Membership
		gone := e.h.MustJoin(org, "gone@acme.com", provisioning.EntranceManual, provisioning.RoleMember).Membership
		if _, err := e.h.Service.Suspend(e.h.Ctx, e.owner, org, sus.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.h.Service.Remove(e.h.Ctx, e.owner, org, gone.ID); err != nil {
			t.Fatal(err)
		}
		for email, status := range map[string]provisioning.Status{"sus@acme.com": provisioning.StatusSuspended, "gone@acme.com": provisioning.StatusRemoved} {
			if err := e.svc.OnSignIn(e.h.Ctx, signIn(email, true)); err != nil {
				t.Fatalf("%s: the sign-in must not fail: %v", email, err)
			}
			if m := e.membership(org, email); m.Status != status {
				t.Fatalf("%s was re-added: %+v", email, m)
			}
		}
	})
}

func TestAutoJoinSeatLimitGivesViewer(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		small := e.h.CreateOrg("small", 2, "owner@small.com")
		owner := e.h.MemberActor(small.Owner.Membership)
		d := e.add(owner, small.Org.ID, "small.com", true)
		e.publish(d)
		e.verify(owner, small.Org.ID, "small.com")
		first, err := e.svc.AutoJoin(e.h.Ctx, signIn("one@small.com", true))
		if err != nil || len(first) != 1 || first[0].Membership.Role != provisioning.RoleMember {
			t.Fatalf("first join takes the last seat: %+v %v", first, err)
		}
		full, err := e.svc.AutoJoin(e.h.Ctx, signIn("two@small.com", true))
		if err != nil || len(full) != 1 || full[0].Membership.Role != provisioning.RoleViewer ||
			full[0].Membership.HasSeat() || full[0].SeatWithheld == seats.ReasonNone {
			t.Fatalf("a full org takes auto-joins as viewers: %+v %v", full, err)
		}
		if u := e.h.Usage(small.Org.ID); u.Used != 2 {
			t.Fatalf("seats: %+v", u)
		}
	})
}

func TestJoinRoleRules(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		org := e.acme.Org.ID
		admin := e.h.MemberActor(e.h.MustJoin(org, "admin@acme.com", provisioning.EntranceManual, provisioning.RoleAdmin).Membership)
		member := e.h.MemberActor(e.h.MustJoin(org, "m@acme.com", provisioning.EntranceManual, provisioning.RoleMember).Membership)
		role := func(r provisioning.Role) *provisioning.Role { return &r }

		_, err := e.svc.Add(e.h.Ctx, member, org, domains.AddInput{Name: "acme.com"})
		wantCode(t, err, provisioning.CodeForbidden)
		_, err = e.svc.List(e.h.Ctx, member, org)
		wantCode(t, err, provisioning.CodeForbidden)
		_, err = e.svc.Add(e.h.Ctx, admin, org, domains.AddInput{Name: "acme.com", Role: provisioning.RoleAdmin})
		wantCode(t, err, provisioning.CodeForbidden)
		_, err = e.svc.Add(e.h.Ctx, e.owner, org, domains.AddInput{Name: "acme.com", Role: provisioning.RoleOwner})
		wantCode(t, err, provisioning.CodeInvalid)

		d := e.add(admin, org, "acme.com", true)
		_, err = e.svc.Update(e.h.Ctx, admin, org, "acme.com", domains.UpdateInput{Role: role(provisioning.RoleAdmin)})
		wantCode(t, err, provisioning.CodeForbidden)
		_, err = e.svc.Update(e.h.Ctx, e.owner, org, "acme.com", domains.UpdateInput{Role: role(provisioning.RoleOwner)})
		wantCode(t, err, provisioning.CodeInvalid)
		got, err := e.svc.Update(e.h.Ctx, e.owner, org, "acme.com", domains.UpdateInput{Role: role(provisioning.RoleAdmin)})
		if err != nil || got.JoinRole != provisioning.RoleAdmin {
			t.Fatalf("owners may grant admin: %+v %v", got, err)
		}
		off := false
		_, err = e.svc.Update(e.h.Ctx, admin, org, "acme.com", domains.UpdateInput{AutoJoin: &off})
		wantCode(t, err, provisioning.CodeForbidden)

		e.publish(d)
		e.verify(admin, org, "acme.com")
		res, err := e.svc.AutoJoin(e.h.Ctx, signIn("boss@acme.com", true))
		if err != nil || len(res) != 1 || res[0].Membership.Role != provisioning.RoleAdmin {
			t.Fatalf("admin join role: %+v %v", res, err)
		}
		if _, err := e.svc.Update(e.h.Ctx, e.owner, org, "acme.com", domains.UpdateInput{Role: role("Viewer")}); err != nil {
			t.Fatal(err)
		}
		res, _ = e.svc.AutoJoin(e.h.Ctx, signIn("look@acme.com", true))
		if len(res) != 1 || res[0].Membership.Role != provisioning.RoleViewer {
			t.Fatalf("viewer join role: %+v", res)
		}
		if got := e.actions(org, d.ID); got[len(got)-1] != "domain.added" || countOf(got, "domain.settings_changed") != 2 {
			t.Fatalf("audit: %v", got)
		}
		if err := e.svc.Remove(e.h.Ctx, admin, org, "acme.com"); err != nil {
			t.Fatal(err)
		}
		if got := e.actions(org, d.ID); got[0] != "domain.removed" {
			t.Fatalf("audit: %v", got)
		}
		if res, _ := e.svc.AutoJoin(e.h.Ctx, signIn("late@acme.com", true)); len(res) != 0 {
			t.Fatalf("a removed domain stops auto-join: %+v", res)
		}
		if m := e.membership(org, "boss@acme.com"); m.Status != provisioning.StatusActive {
			t.Fatalf("members who joined through a removed domain stay: %+v", m)
		}
	})
}

func TestBadInput(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		org := e.acme.Org.ID
		e.add(e.owner, org, "acme.com", false)
		for name, c := range map[string]struct {
			code provisioning.Code
			says string
		}{
			"acme.com":                        {provisioning.CodeConflict, "already added"},
			"ACME.com.":                       {provisioning.CodeConflict, "already added"},
			"gmail.com":                       {provisioning.CodeInvalid, "public email provider"},
			"not a domain":                    {provisioning.CodeInvalid, "not a domain name"},
			strings.Repeat("a", 250) + ".com": {provisioning.CodeInvalid, "longer than 253"},
		} {
			_, err := e.svc.Add(e.h.Ctx, e.owner, org, domains.AddInput{Name: name})
			if provisioning.ErrorCode(err) != c.code || !strings.Contains(provisioning.ErrorMessage(err), c.says) {
				t.Errorf("add %q: %v; want %s saying %q", name, err, c.code, c.says)
			}
		}
		_, err := e.svc.Get(e.h.Ctx, e.owner, org, "other.com")
		wantCode(t, err, provisioning.CodeNotFound)
		_, err = e.svc.Verify(e.h.Ctx, e.owner, org, "bad name!")
		wantCode(t, err, provisioning.CodeNotFound)
		wantCode(t, e.svc.Remove(e.h.Ctx, e.owner, org, "other.com"), provisioning.CodeNotFound)
		list, err := e.svc.List(e.h.Ctx, e.owner, org)
		if err != nil || len(list) != 1 {
			t.Fatalf("nothing partial was written: %+v %v", list, err)
		}
	})
}

func wantCode(t *testing.T, err error, code provisioning.Code) {
	t.Helper()
	if provisioning.ErrorCode(err) != code {
		t.Fatalf("got %v, want code %s", err, code)
	}
}
