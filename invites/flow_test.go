package invites_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/rollcall/rollcall/provisioning"
)

// TestInviteAcceptEndToEnd: invite → email received over SMTP → link followed → signed in with
// an email link → accepted → member with a seat.
func TestInviteAcceptEndToEnd(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		id, link := e.mustInvite("Alice@X.com", provisioning.RoleMember)
		if n := e.deliver(); n != 1 {
			t.Fatalf("delivered %d mails, want 1", n)
		}
		mails := e.smtp.To("alice@x.com")
		if len(mails) != 1 {
			t.Fatalf("alice got %d mails", len(mails))
		}
		m := mails[0]
		for _, want := range []string{"acme Inc", "owner@acme.com", "member", link} {
			if !strings.Contains(m.Text, want) {
				t.Errorf("invitation text lacks %q:\n%s", want, m.Text)
			}
		}
		if !strings.Contains(m.HTML, "acme Inc") || !strings.Contains(m.Subject, "acme Inc") || m.From != "rollcall@test.example" {
			t.Errorf("mail: subject %q from %q html %q", m.Subject, m.From, m.HTML)
		}
		if got := e.lastLink("alice@x.com"); got != link {
			t.Fatalf("mailed link %q, API returned %q", got, link)
		}

		anon := e.browser()
		if r := anon.do("GET", pathOf(link), nil); r.Status != 200 || r.str("invitation", "state") != "pending" || r.str("invitation", "orgName") != "acme Inc" {
			t.Fatalf("show invitation: %d %s", r.Status, r.Raw)
		}
		if r := anon.do("POST", pathOf(link)+"/accept", nil); r.Status != http.StatusUnauthorized {
			t.Fatalf("accept without sign-in: %d %s", r.Status, r.Raw)
		}

		b, landing := e.signIn("alice@x.com")
		if landing != "/invitations/"+id {
			t.Fatalf("signed-in invitee landed on %q, want her invitation", landing)
		}
		if r := b.do("GET", landing, nil); r.Status != 200 || r.str("invitation", "email") != "alice@x.com" {
			t.Fatalf("landing page: %d %s", r.Status, r.Raw)
		}
		r := b.do("POST", pathOf(link)+"/accept", nil)
		if r.Status != 200 || r.str("membership", "role") != "member" || r.str("membership", "status") != "active" {
			t.Fatalf("accept: %d %s", r.Status, r.Raw)
		}
		mem, ok := e.member("alice@x.com")
		if !ok || !mem.HasSeat() || mem.Source != provisioning.EntranceInvite {
			t.Fatalf("alice's membership: %+v %v", mem, ok)
		}
		inv := e.api(e.owner, "GET", "/orgs/acme/invitations/"+id, nil)
		if inv.str("invitation", "state") != "accepted" || inv.str("invitation", "membershipId") != mem.ID {
			t.Fatalf("invitation after accept: %s", inv.Raw)
		}
		if again := b.do("POST", pathOf(link)+"/accept", nil); again.Status != http.StatusConflict || again.code() != "invitation_used" {
			t.Fatalf("second accept: %d %s", again.Status, again.Raw)
		}
		if seats := e.h.Usage(e.acme.Org.ID); seats.Used != 2 {
			t.Fatalf("seats used %d, want 2 (owner and alice; the reservation was released)", seats.Used)
		}
	})
}

// TestBulkInvite: a list and one-per-line text, with refusals reported per address.
func TestBulkInvite(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		e.h.MustJoin(e.acme.Org.ID, "member@acme.com", provisioning.EntranceManual, provisioning.RoleMember)
		// Limit 10: owner and member hold 2; 8 seats are left for invitations.
		var text strings.Builder
		for i := range 9 {
			fmt.Fprintf(&text, "p%d@x.com\n", i)
		}
		text.WriteString("not-an-email\n\n# comment\nP0@x.com\nmember@acme.com\n")
		r := e.api(e.owner, "POST", "/orgs/acme/invitations/bulk", map[string]any{"text": text.String(), "emails": []string{"list@x.com"}, "role": "member"})
		if r.Status != 200 {
			t.Fatalf("bulk: %d %s", r.Status, r.Raw)
		}
		invited, _ := r.Body["invited"].([]any)
		refused, _ := r.Body["refused"].([]any)
		if len(invited) != 8 {
			t.Fatalf("invited %d, want 8: %s", len(invited), r.Raw)
		}
		why := map[string]string{}
		for _, x := range refused {
			m := x.(map[string]any)
			why[m["email"].(string)] = m["code"].(string)
		}
		// The list comes first, then the text in order: list@x.com and p0-p6 take the 8 seats.
		want := map[string]string{"not-an-email": "invalid", "member@acme.com": "conflict",
			"p7@x.com": "seat_limit_reached", "p8@x.com": "seat_limit_reached"}
		if len(why) != len(want) {
			t.Fatalf("refusals %v, want %v", why, want)
		}
		for k, v := range want {
			if why[k] != v {
				t.Fatalf("refusals %v, want %v", why, want)
			}
		}
		if seats := e.h.Usage(e.acme.Org.ID); seats.Used != 10 {
			t.Fatalf("seats used %d, want 10 (2 members + 8 reserved)", seats.Used)
		}
		if n := e.deliver(); n != 8 {
			t.Fatalf("delivered %d, want 8", n)
		}
		viewers := e.api(e.owner, "POST", "/orgs/acme/invitations/bulk", map[string]any{"emails": []string{"v1@x.com", "v2@x.com"}, "role": "viewer", "sendEmail": false})
		if inv, _ := viewers.Body["invited"].([]any); len(inv) != 2 {
			t.Fatalf("viewer invitations need no seat: %s", viewers.Raw)
		}
		if n := e.deliver(); n != 0 {
			t.Fatalf("sendEmail false still sent %d mails", n)
		}
		link := viewers.Body["invited"].([]any)[0].(map[string]any)["link"].(string)
		b, _ := e.signIn("v1@x.com")
		if r := b.do("POST", pathOf(link)+"/accept", nil); r.Status != 200 || r.str("membership", "role") != "viewer" {
			t.Fatalf("accept shared link: %d %s", r.Status, r.Raw)
		}
		tooMany := make([]string, 1001)
		for i := range tooMany {
			tooMany[i] = fmt.Sprintf("u%d@many.com", i)
		}
		if r := e.api(e.owner, "POST", "/orgs/acme/invitations/bulk", map[string]any{"emails": tooMany}); r.Status != 400 {
			t.Fatalf("1001 addresses: %d", r.Status)
		}
	})
}
