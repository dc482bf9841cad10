package scim_test

import (
	"strings"
	"testing"
	"time"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/scim"
	"github.com/rollcall/rollcall/store/sqlstore"
	"github.com/rollcall/rollcall/store/storetest"
)

// TestUserNameChangeRenamesTheAccount: when the directory changes a person's userName (their
// email), the account follows only at a domain the org has verified, only for an account no
// other org knows, and only to an address no other account uses; otherwise it keeps its email
// and the audit log says why.
func TestUserNameChangeRenamesTheAccount(t *testing.T) {
	each(t, func(t *testing.T, b storetest.Backend) {
		e := newEnv(t, b, -1, scim.Options{})
		now := e.h.Clock.Now()
		verifyDomain(e, "acme.com")
		rename := func(id, userName string) {
			t.Helper()
			e.want(e.do("PATCH", "/Users/"+id, patchOp+`[{"op":"Replace","path":"userName","value":"`+userName+`"}]}`), 200, "rename to "+userName)
		}
		alice := e.want(e.do("POST", "/Users", userBody("alice@acme.com")), 201, "create alice")
		before := e.member("alice@acme.com")
		var session provisioning.Session
		e.h.Tx(func(tx provisioning.StoreTx) error {
			var err error
			_, session, err = e.h.Service.StartSession(e.h.Ctx, provisioning.Wrap(tx), before.UserID, "")
			return err
		})

		rename(alice.str("id"), "Alice.Smith@acme.com")
		if after := e.member("alice.smith@acme.com"); after.UserID != before.UserID || after.ID != before.ID {
			t.Fatalf("renamed account: %+v, was %+v", after, before)
		}
		var ended bool
		e.h.Tx(func(tx provisioning.StoreTx) error {
			var err error
			ended, err = tx.(*sqlstore.Tx).SessionEnded(e.h.Ctx, session.ID)
			return err
		})
		if !ended {
			t.Fatal("a session opened under the old address survived the rename")
		}
		rename(alice.str("id"), "alice@elsewhere.com")
		if m := e.member("alice.smith@acme.com"); m.UserID != before.UserID {
			t.Fatal("an address at an unverified domain renamed the account")
		}
		if got := e.do("GET", "/Users/"+alice.str("id"), ""); got.str("userName") != "alice@elsewhere.com" {
			t.Fatalf("the directory record keeps what was sent: %s", got.Raw)
		}

		bob := e.want(e.do("POST", "/Users", userBody("bob@acme.com")), 201, "create bob")
		other := e.h.CreateOrg("other", -1, "owner@other.com")
		e.h.MustJoin(other.Org.ID, "bob@acme.com", provisioning.EntranceManual, provisioning.RoleMember)
		rename(bob.str("id"), "robert@acme.com")

		carol := e.want(e.do("POST", "/Users", userBody("carol@acme.com")), 201, "create carol")
		rename(carol.str("id"), "owner@acme.com")
		if m := e.member("carol@acme.com"); m.ID == "" {
			t.Fatal("a rename onto another account's address moved the account")
		}

		// An existing account at an address the org does not speak for (here a public mail
		// domain) is linked by the push but never renamed into the org's domain.
		dave := e.want(e.do("POST", "/Users", userBody("dave@gmail.com")), 201, "create dave")
		rename(dave.str("id"), "dave@acme.com")
		if m := e.member("dave@gmail.com"); m.ID == "" {
			t.Fatal("an account at a domain the org has not verified was renamed")
		}

		var kept, changed []string
		e.h.Tx(func(tx provisioning.StoreTx) error {
			events, err := tx.ListAudit(e.h.Ctx, provisioning.AuditQuery{OrgID: e.org.Org.ID, Since: now.Add(-time.Minute), Limit: 100})
			for _, ev := range events {
				switch ev.Action {
				case "user.email_kept":
					kept = append(kept, ev.Reason)
				case "user.email_changed":
					changed = append(changed, string(ev.After))
				}
			}
			return err
		})
		if len(changed) != 1 || !strings.Contains(changed[0], "alice.smith@acme.com") {
			t.Fatalf("email_changed events: %v", changed)
		}
		wantReasons := []string{"another account already uses", "also belongs to another organization",
			"has not verified the domain elsewhere.com", "has not verified the domain gmail.com"}
		if len(kept) != len(wantReasons) {
			t.Fatalf("email_kept reasons: %q", kept)
		}
		for _, want := range wantReasons {
			if !strings.Contains(strings.Join(kept, "|"), want) {
				t.Errorf("no email_kept event saying %q in %q", want, kept)
			}
		}
	})
}

// TestEmailChangeRenamesTheAccount: for a user whose userName is not an address (the account's
// email comes from emails), a change of the work email renames the account at a verified
// domain, whether sent as a PATCH of emails or a PUT; a PATCH of anything else leaves it.
func TestEmailChangeRenamesTheAccount(t *testing.T) {
	each(t, func(t *testing.T, b storetest.Backend) {
		e := newEnv(t, b, -1, scim.Options{})
		verifyDomain(e, "acme.com")
		user := func(email string) string {
			return `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"0a21f0f2","active":true,` +
				`"emails":[{"primary":true,"type":"work","value":"` + email + `"}]}`
		}
		id := e.want(e.do("POST", "/Users", user("ann@acme.com")), 201, "create").str("id")
		first := e.member("ann@acme.com")
		e.want(e.do("PATCH", "/Users/"+id, patchOp+`[{"op":"replace","path":"displayName","value":"Ann"}]}`), 200, "displayName")
		if m := e.member("ann@acme.com"); m.UserID != first.UserID {
			t.Fatalf("a displayName change moved the account: %+v", m)
		}
		e.want(e.do("PATCH", "/Users/"+id, patchOp+`[{"op":"replace","path":"emails[type eq \"work\"].value","value":"ann.lee@acme.com"}]}`), 200, "email")
		if m := e.member("ann.lee@acme.com"); m.UserID != first.UserID {
			t.Fatalf("after the PATCH of the work email: %+v, want the account %s", m, first.UserID)
		}
		e.want(e.do("PUT", "/Users/"+id, user("a.lee@acme.com")), 200, "replace")
		if m := e.member("a.lee@acme.com"); m.UserID != first.UserID {
			t.Fatalf("after the PUT: %+v, want the account %s", m, first.UserID)
		}
	})
}

// verifyDomain records name as a domain the env's org has verified.
func verifyDomain(e *env, name string) {
	now := e.h.Clock.Now()
	e.h.Tx(func(tx provisioning.StoreTx) error {
		return tx.InsertDomain(e.h.Ctx, provisioning.Domain{ID: provisioning.NewID(), OrgID: e.org.Org.ID, Name: name,
			State: provisioning.DomainVerified, Token: "t", JoinRole: provisioning.RoleMember, CreatedAt: now, VerifiedAt: &now})
	})
}
