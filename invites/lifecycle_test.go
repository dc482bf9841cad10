package invites_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

// fingerprint summarizes what is written in acme: audit events, invitation states, memberships
// and outbox rows. Equal fingerprints mean nothing was written.
func (e *env) fingerprint() string {
	e.t.Helper()
	var b strings.Builder
	e.h.Tx(func(tx provisioning.StoreTx) error {
		audit, err := tx.ListAudit(e.h.Ctx, provisioning.AuditQuery{OrgID: e.acme.Org.ID})
		if err != nil {
			return err
		}
		invs, err := tx.ListInvitations(e.h.Ctx, provisioning.InvitationQuery{OrgID: e.acme.Org.ID, Now: e.h.Clock.Now()})
		if err != nil {
			return err
		}
		members, err := tx.ListMembers(e.h.Ctx, provisioning.MemberQuery{OrgID: e.acme.Org.ID})
		if err != nil {
			return err
		}
		out, err := tx.ListOutbox(e.h.Ctx, provisioning.OutboxQuery{})
		fmt.Fprintf(&b, "audit=%d members=%d outbox=%d", len(audit), len(members), len(out))
		for _, i := range invs {
			fmt.Fprintf(&b, " %s:%s", i.Email, i.State)
		}
		return err
	})
	return b.String()
}

// TestResendRevokeDecline: resend kills the old link; revoke and decline end an invitation
// and release its seat.
func TestResendRevokeDecline(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		id, old := e.mustInvite("bob@x.com", provisioning.RoleMember)
		e.deliver()
		r := e.api(e.owner, "POST", "/orgs/acme/invitations/"+id+"/resend", nil)
		if r.Status != 200 || r.str("link") == old {
			t.Fatalf("resend: %d %s", r.Status, r.Raw)
		}
		if n := e.deliver(); n != 1 {
			t.Fatalf("resend delivered %d mails", n)
		}
		fresh := e.lastLink("bob@x.com")
		if fresh != r.str("link") || len(e.smtp.To("bob@x.com")) != 2 {
			t.Fatalf("resent mail link %q, API %q", fresh, r.str("link"))
		}
		bob, _ := e.signIn("bob@x.com")
		if r := bob.do("POST", pathOf(old)+"/accept", nil); r.Status != http.StatusNotFound {
			t.Fatalf("old link after resend: %d %s", r.Status, r.Raw)
		}
		if r := bob.do("GET", pathOf(fresh), nil); r.Status != 200 {
			t.Fatalf("new link: %d %s", r.Status, r.Raw)
		}

		seatsBefore := e.h.Usage(e.acme.Org.ID).Used
		if r := e.api(e.owner, "POST", "/orgs/acme/invitations/"+id+"/revoke", nil); r.Status != 200 || r.str("invitation", "state") != "revoked" {
			t.Fatalf("revoke: %d %s", r.Status, r.Raw)
		}
		if after := e.h.Usage(e.acme.Org.ID).Used; after != seatsBefore-1 {
			t.Fatalf("revoking did not release the seat: %d -> %d", seatsBefore, after)
		}
		before := e.fingerprint()
		if r := bob.do("POST", pathOf(fresh)+"/accept", nil); r.Status != http.StatusGone || r.code() != "invitation_revoked" {
			t.Fatalf("accept revoked: %d %s", r.Status, r.Raw)
		}
		if r := e.api(e.owner, "POST", "/orgs/acme/invitations/"+id+"/resend", nil); r.Status != http.StatusConflict {
			t.Fatalf("resend revoked: %d %s", r.Status, r.Raw)
		}
		if after := e.fingerprint(); after != before {
			t.Fatalf("refused calls wrote something:\n%s\n%s", before, after)
		}

		_, link := e.mustInvite("bob@x.com", provisioning.RoleMember)
		if r := bob.do("POST", pathOf(link)+"/decline", nil); r.Status != 200 || r.str("invitation", "state") != "declined" {
			t.Fatalf("decline: %d %s", r.Status, r.Raw)
		}
		if r := bob.do("POST", pathOf(link)+"/accept", nil); r.Status != http.StatusConflict || r.code() != "invitation_used" {
			t.Fatalf("accept declined: %d %s", r.Status, r.Raw)
		}
		if _, ok := e.member("bob@x.com"); ok {
			t.Fatal("bob became a member")
		}
		list := e.api(e.owner, "GET", "/orgs/acme/invitations?state=declined", nil)
		if invs, _ := list.Body["invitations"].([]any); len(invs) != 1 {
			t.Fatalf("declined list: %s", list.Raw)
		}
	})
}

// TestExpiry: an invitation past the org's expiry cannot be accepted; resending revives it; an
// org with expiry "never" keeps invitations open.
func TestExpiry(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		settings := provisioning.DefaultSettings()
		settings.InviteExpiryHours = 1
		if _, err := e.h.Service.UpdateSettings(e.h.Ctx, provisioning.Operator(), e.acme.Org.ID, settings.AsChange()); err != nil {
			t.Fatal(err)
		}
		id, link := e.mustInvite("cat@x.com", provisioning.RoleMember)
		cat, _ := e.signIn("cat@x.com")
		e.h.Clock.Advance(61 * time.Minute)
		before := e.fingerprint()
		if r := cat.do("POST", pathOf(link)+"/accept", nil); r.Status != http.StatusGone || r.code() != "invitation_expired" {
			t.Fatalf("accept expired: %d %s", r.Status, r.Raw)
		}
		if after := e.fingerprint(); after != before {
			t.Fatalf("expired accept wrote:\n%s\n%s", before, after)
		}
		if invs, _ := e.api(e.owner, "GET", "/orgs/acme/invitations?state=expired", nil).Body["invitations"].([]any); len(invs) != 1 {
			t.Fatalf("expired list has %d", len(invs))
		}
		if seats := e.h.Usage(e.acme.Org.ID); seats.Used != 1 {
			t.Fatalf("an expired invitation still holds a seat: %d used", seats.Used)
		}
		r := e.api(e.owner, "POST", "/orgs/acme/invitations/"+id+"/resend", nil)
		if r.Status != 200 {
			t.Fatalf("resend expired: %d %s", r.Status, r.Raw)
		}
		if r := cat.do("POST", pathOf(r.str("link"))+"/accept", nil); r.Status != 200 {
			t.Fatalf("accept resent: %d %s", r.Status, r.Raw)
		}

		settings.InviteExpiryHours = 0
		if _, err := e.h.Service.UpdateSettings(e.h.Ctx, provisioning.Operator(), e.acme.Org.ID, settings.AsChange()); err != nil {
			t.Fatal(err)
		}
		never := e.invite("dan@x.com", provisioning.RoleMember)
		if never.str("invitation", "expiresAt") != "" {
			t.Fatalf("never-expiring invitation has expiresAt: %s", never.Raw)
		}
		e.h.Clock.Advance(24 * 365 * time.Hour)
		dan, _ := e.signIn("dan@x.com")
		if r := dan.do("POST", pathOf(never.str("link"))+"/accept", nil); r.Status != 200 {
			t.Fatalf("accept a year later: %d %s", r.Status, r.Raw)
		}
	})
}

// TestRefusals: wrong email, tampered or unknown links and unverified users each get their own
// error and write nothing.
func TestRefusals(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		id, link := e.mustInvite("alice@x.com", provisioning.RoleMember)
		mallory, _ := e.signIn("mallory@x.com")
		tampered := link[:len(link)-3] + "AAA"
		if strings.HasSuffix(link, "AAA") {
			tampered = link[:len(link)-3] + "BBB"
		}
		before := e.fingerprint()
		for _, c := range []struct {
			name, path string
			status     int
			code       string
		}{
			{"wrong email", pathOf(link) + "/accept", http.StatusForbidden, "email_mismatch"},
			{"wrong email declines", pathOf(link) + "/decline", http.StatusForbidden, "email_mismatch"},
			{"tampered", pathOf(tampered) + "/accept", http.StatusNotFound, "not_found"},
			{"unknown", "/invitations/inv_" + strings.Repeat("x", 43) + "/accept", http.StatusNotFound, "not_found"},
			{"another's id", "/invitations/" + id + "/accept", http.StatusForbidden, "email_mismatch"},
			{"garbage", "/invitations/%00%ff/accept", http.StatusNotFound, "not_found"},
		} {
			r := mallory.do("POST", c.path, nil)
			if r.Status != c.status || r.code() != c.code {
				t.Errorf("%s: %d %s, want %d %s", c.name, r.Status, r.Raw, c.status, c.code)
			}
		}
		if r := mallory.do("GET", pathOf(tampered), nil); r.Status != http.StatusNotFound {
			t.Errorf("show tampered: %d", r.Status)
		}
		// Someone whose address is not verified (an admin added them) cannot accept.
		var eve provisioning.User
		e.h.Tx(func(tx provisioning.StoreTx) error {
			var err error
			eve, _, err = tx.EnsureUser(e.h.Ctx, provisioning.User{ID: provisioning.NewID(), Email: "eve@x.com", CreatedAt: e.h.Clock.Now(), UpdatedAt: e.h.Clock.Now()})
			return err
		})
		before = e.fingerprint()
		if _, err := e.inv.Accept(e.h.Ctx, eve, secretOf(link)); provisioning.ErrorCode(err) != provisioning.CodeEmailMismatch {
			t.Errorf("unverified other user: %v", err)
		}
		eve.Email = "alice@x.com"
		if _, err := e.inv.Accept(e.h.Ctx, eve, secretOf(link)); provisioning.ErrorCode(err) != provisioning.CodeForbidden {
			t.Errorf("unverified invitee: %v", err)
		}
		if after := e.fingerprint(); after != before {
			t.Fatalf("refused accepts wrote:\n%s\n%s", before, after)
		}
		if r := e.browser().do("GET", "/invitations/"+id, nil); r.Status != http.StatusUnauthorized || !strings.Contains(string(r.Raw), "a…@x.com") || strings.Contains(string(r.Raw), "alice") {
			t.Errorf("anonymous show by id: %d %s", r.Status, r.Raw)
		}
		if r := mallory.do("GET", "/invitations/"+id, nil); r.Status != http.StatusForbidden || !strings.Contains(string(r.Raw), "this invitation is for a…@x.com") {
			t.Errorf("another person shows by id: %d %s", r.Status, r.Raw)
		}
		if r := e.invite("owner@acme.com", provisioning.RoleMember); r.Status != http.StatusConflict {
			t.Errorf("invite an active member: %d %s", r.Status, r.Raw)
		}
		if r := e.invite("x@x.com", provisioning.RoleOwner); r.Status != http.StatusBadRequest {
			t.Errorf("invite as owner: %d %s", r.Status, r.Raw)
		}
		if r := e.invite("not an email", provisioning.RoleMember); r.Status != http.StatusBadRequest || r.str("error", "field") != "email" {
			t.Errorf("bad email: %d %s", r.Status, r.Raw)
		}
		if r := e.api(e.owner, "POST", "/orgs/acme/invitations", map[string]any{"email": "a@x.com", "extra": 1}); r.Status != http.StatusBadRequest {
			t.Errorf("unknown field: %d", r.Status)
		}
		if r := e.api(e.owner, "GET", "/orgs/acme/invitations?state=nope", nil); r.Status != http.StatusBadRequest {
			t.Errorf("bad state: %d", r.Status)
		}
	})
}

// TestMalformedInvitationRefs: ids no store can hold get a clear answer, never a 500.
func TestMalformedInvitationRefs(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		for _, ref := range []string{"%00abc", "%FF%FE", "inv_%00"} {
			if r := e.browser().do("GET", "/invitations/"+ref, nil); r.Status >= 500 {
				t.Errorf("GET /invitations/%s: %d %s", ref, r.Status, r.Raw)
			}
			if r := e.api(e.owner, "GET", "/orgs/acme/invitations/"+ref, nil); r.Status >= 500 {
				t.Errorf("API invitation %s: %d %s", ref, r.Status, r.Raw)
			}
		}
	})
}
