package storetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/store/sqlstore"
)

// testInvitation builds an invitation row with a fresh link hash.
func testInvitation(h *Harness, orgID, email string, role provisioning.Role, state provisioning.InvitationState, expires *time.Time) provisioning.Invitation {
	_, hash := provisioning.NewSecret("inv_")
	now := h.Clock.Now()
	return provisioning.Invitation{ID: provisioning.NewID(), OrgID: orgID, Email: email, Role: role, State: state,
		TokenHash: hash, InviterID: "m1", InviterLabel: "owner@acme.com", SendEmail: true,
		CreatedAt: now, UpdatedAt: now, ExpiresAt: expires}
}

func sessionEnded(h *Harness, id string) bool {
	var ended bool
	h.Tx(func(tx provisioning.StoreTx) error {
		var err error
		ended, err = tx.(*sqlstore.Tx).SessionEnded(h.Ctx, id)
		return err
	})
	return ended
}

func testInvitationCRUD(t *testing.T, h *Harness) {
	o := h.CreateOrg("acme", 10, "owner@acme.com")
	now := h.Clock.Now()
	soon, past := now.Add(time.Hour), now.Add(-time.Hour)
	a := testInvitation(h, o.Org.ID, "a@x.com", provisioning.RoleMember, provisioning.InvitationPending, &soon)
	b := testInvitation(h, o.Org.ID, "b@x.com", provisioning.RoleAdmin, provisioning.InvitationPending, &past)
	c := testInvitation(h, o.Org.ID, "c@x.com", provisioning.RoleViewer, provisioning.InvitationRevoked, nil)
	h.Tx(func(tx provisioning.StoreTx) error {
		for _, inv := range []provisioning.Invitation{a, b, c} {
			if err := tx.InsertInvitation(h.Ctx, inv); err != nil {
				return err
			}
		}
		return nil
	})
	err := h.Store.Update(h.Ctx, func(tx provisioning.StoreTx) error {
		return tx.InsertInvitation(h.Ctx, testInvitation(h, o.Org.ID, "a@x.com", provisioning.RoleMember, provisioning.InvitationPending, nil))
	})
	WantCode(t, err, provisioning.CodeConflict)
	h.Tx(func(tx provisioning.StoreTx) error {
		got, err := tx.GetInvitationByHash(h.Ctx, a.TokenHash)
		if err != nil || got.ID != a.ID || got.Email != "a@x.com" || got.ExpiresAt == nil || !got.ExpiresAt.Equal(soon) || !got.SendEmail {
			t.Errorf("by hash: %+v, %v", got, err)
		}
		if got, err := tx.GetPendingInvitation(h.Ctx, o.Org.ID, "b@x.com"); err != nil || got.ID != b.ID || got.StateAt(now) != provisioning.InvitationExpired {
			t.Errorf("pending b: %+v, %v", got, err)
		}
		_, err = tx.GetPendingInvitation(h.Ctx, o.Org.ID, "c@x.com")
		WantCode(t, err, provisioning.CodeNotFound)
		_, err = tx.GetInvitationByHash(h.Ctx, []byte("nope"))
		WantCode(t, err, provisioning.CodeNotFound)
		for state, want := range map[provisioning.InvitationState]int{"": 3, provisioning.InvitationPending: 1,
			provisioning.InvitationExpired: 1, provisioning.InvitationRevoked: 1, provisioning.InvitationAccepted: 0} {
			list, err := tx.ListInvitations(h.Ctx, provisioning.InvitationQuery{OrgID: o.Org.ID, State: state, Now: now})
			if err != nil || len(list) != want {
				t.Errorf("list %q: %d, %v; want %d", state, len(list), err, want)
			}
		}
		list, err := tx.ListInvitations(h.Ctx, provisioning.InvitationQuery{Email: "c@x.com", Now: now})
		if err != nil || len(list) != 1 || list[0].ID != c.ID {
			t.Errorf("list by email: %+v, %v", list, err)
		}
		page, err := tx.ListInvitations(h.Ctx, provisioning.InvitationQuery{OrgID: o.Org.ID, Now: now, Limit: 2})
		if err != nil || len(page) != 2 || page[0].ID != c.ID {
			t.Fatalf("page: %+v, %v", page, err)
		}
		rest, err := tx.ListInvitations(h.Ctx, provisioning.InvitationQuery{OrgID: o.Org.ID, Now: now, Before: page[1].ID})
		if err != nil || len(rest) != 1 || rest[0].ID != a.ID {
			t.Errorf("next page: %+v, %v", rest, err)
		}
		return nil
	})
	_, newHash := provisioning.NewSecret("inv_")
	h.Tx(func(tx provisioning.StoreTx) error {
		r := b
		r.Role, r.TokenHash, r.ExpiresAt, r.SendEmail = provisioning.RoleMember, newHash, &soon, false
		if err := tx.RefreshInvitation(h.Ctx, r); err != nil {
			return err
		}
		if _, err := tx.GetInvitationByHash(h.Ctx, b.TokenHash); !provisioning.IsCode(err, provisioning.CodeNotFound) {
			t.Errorf("old hash still finds the invitation: %v", err)
		}
		got, err := tx.GetInvitation(h.Ctx, b.ID)
		if err != nil || got.Role != provisioning.RoleMember || !bytes.Equal(got.TokenHash, newHash) || got.SendEmail || got.StateAt(now) != provisioning.InvitationPending {
			t.Errorf("refreshed: %+v, %v", got, err)
		}
		won, err := tx.DecideInvitation(h.Ctx, b.ID, provisioning.InvitationAccepted, now)
		if err != nil || !won {
			t.Errorf("first decision: %v, %v", won, err)
		}
		won, err = tx.DecideInvitation(h.Ctx, b.ID, provisioning.InvitationRevoked, now)
		if err != nil || won {
			t.Errorf("second decision won: %v, %v", won, err)
		}
		if err := tx.SetInvitationMembership(h.Ctx, b.ID, o.Owner.ID); err != nil {
			return err
		}
		got, _ = tx.GetInvitation(h.Ctx, b.ID)
		if got.State != provisioning.InvitationAccepted || got.MembershipID != o.Owner.ID || got.DecidedAt == nil {
			t.Errorf("decided: %+v", got)
		}
		WantCode(t, tx.RefreshInvitation(h.Ctx, got), provisioning.CodeNotFound)
		return nil
	})
}

func testInviteLinksAndQuotas(t *testing.T, h *Harness) {
	o := h.CreateOrg("acme", 10, "owner@acme.com")
	now := h.Clock.Now()
	_, first := provisioning.NewSecret("lnk_")
	_, second := provisioning.NewSecret("lnk_")
	h.Tx(func(tx provisioning.StoreTx) error {
		for day, n := range map[string]int{"2026-11-21": 4, "2026-11-22": 2, "2026-11-23": 1} {
			if err := tx.AddInviteSends(h.Ctx, o.Org.ID, day, n); err != nil {
				return err
			}
		}
		if err := tx.AddInviteSends(h.Ctx, o.Org.ID, "2026-11-23", 5); err != nil {
			return err
		}
		for since, want := range map[string]int{"": 12, "2026-11-22": 8, "2026-11-23": 6, "2026-11-24": 0} {
			if n, err := tx.CountInviteSends(h.Ctx, o.Org.ID, since); err != nil || n != want {
				t.Errorf("sends since %q = %d, %v; want %d", since, n, err, want)
			}
		}
		l := provisioning.InviteLink{OrgID: o.Org.ID, Role: provisioning.RoleMember, TokenHash: first, Hint: "…abcd", CreatedAt: now}
		if err := tx.PutInviteLink(h.Ctx, l); err != nil {
			return err
		}
		l.TokenHash, l.Hint = second, "…wxyz"
		if err := tx.PutInviteLink(h.Ctx, l); err != nil {
			return err
		}
		_, err := tx.GetInviteLinkByHash(h.Ctx, first)
		WantCode(t, err, provisioning.CodeNotFound)
		got, err := tx.GetInviteLinkByHash(h.Ctx, second)
		if err != nil || got.OrgID != o.Org.ID || got.Role != provisioning.RoleMember || got.Hint != "…wxyz" {
			t.Errorf("link: %+v, %v", got, err)
		}
		_, err = tx.GetInviteLink(h.Ctx, o.Org.ID, provisioning.RoleAdmin)
		WantCode(t, err, provisioning.CodeNotFound)
		if err := tx.DeleteInviteLink(h.Ctx, o.Org.ID, provisioning.RoleMember); err != nil {
			return err
		}
		WantCode(t, tx.DeleteInviteLink(h.Ctx, o.Org.ID, provisioning.RoleMember), provisioning.CodeNotFound)
		_, err = tx.GetInviteLinkByHash(h.Ctx, second)
		WantCode(t, err, provisioning.CodeNotFound)
		return nil
	})
}

func testEmailLoginsAndRateLimits(t *testing.T, h *Harness) {
	now := h.Clock.Now()
	_, hash := provisioning.NewSecret("esl_")
	l := provisioning.EmailLogin{ID: provisioning.NewID(), Email: "a@x.com", CreatedAt: now, ExpiresAt: now.Add(15 * time.Minute)}
	h.Tx(func(tx provisioning.StoreTx) error {
		if err := tx.InsertEmailLogin(h.Ctx, l, hash); err != nil {
			return err
		}
		got, err := tx.GetEmailLoginByHash(h.Ctx, hash)
		if err != nil || got.Email != "a@x.com" || got.UsedAt != nil || !got.ExpiresAt.Equal(l.ExpiresAt) {
			t.Errorf("login: %+v, %v", got, err)
		}
		for i, want := range []bool{true, false} {
			if used, err := tx.UseEmailLogin(h.Ctx, l.ID, now); err != nil || used != want {
				t.Errorf("use %d: %v, %v", i, used, err)
			}
		}
		for i := 1; i <= 3; i++ {
			if n, err := tx.HitRateLimit(h.Ctx, "email:a@x.com", time.Minute, now); err != nil || n != i {
				t.Errorf("hit %d: %d, %v", i, n, err)
			}
		}
		if n, err := tx.HitRateLimit(h.Ctx, "ip:1.2.3.4", time.Minute, now); err != nil || n != 1 {
			t.Errorf("other key: %d, %v", n, err)
		}
		if n, err := tx.HitRateLimit(h.Ctx, "email:a@x.com", time.Minute, now.Add(time.Minute)); err != nil || n != 1 {
			t.Errorf("next window: %d, %v", n, err)
		}
		return nil
	})
	errs := parallel(20, func(int) error {
		return h.Store.Update(h.Ctx, func(tx provisioning.StoreTx) error {
			if err := tx.CountersOnly(h.Ctx); err != nil {
				return err
			}
			_, err := tx.HitRateLimit(h.Ctx, "ip:race", time.Hour, now)
			return err
		})
	})
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	h.Tx(func(tx provisioning.StoreTx) error {
		if n, err := tx.HitRateLimit(h.Ctx, "ip:race", time.Hour, now); err != nil || n != 21 {
			t.Errorf("after 20 concurrent hits: %d, %v; want 21", n, err)
		}
		return nil
	})
	testPurgeSignIns(t, h, hash)
}

// testPurgeSignIns checks that purging drops what is over and keeps what still counts.
func testPurgeSignIns(t *testing.T, h *Harness, oldLogin []byte) {
	now := h.Clock.Now()
	o := h.CreateOrg("purge", 5, "owner@purge.com")
	later := now.Add(20 * time.Minute)
	_, freshHash := provisioning.NewSecret("esl_")
	fresh := provisioning.EmailLogin{ID: provisioning.NewID(), Email: "b@x.com", CreatedAt: later, ExpiresAt: later.Add(15 * time.Minute)}
	sessions := map[string]provisioning.Session{
		"expired": {ID: provisioning.NewID(), UserID: o.Owner.UserID, CreatedAt: now, ExpiresAt: now.Add(time.Minute)},
		"live":    {ID: provisioning.NewID(), UserID: o.Owner.UserID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)},
	}
	hashes := map[string][]byte{}
	h.Tx(func(tx provisioning.StoreTx) error {
		for name, s := range sessions {
			_, hashes[name] = provisioning.NewSecret(provisioning.SessionPrefix)
			if err := tx.CreateSession(h.Ctx, s, hashes[name]); err != nil {
				return err
			}
		}
		if _, err := tx.HitRateLimit(h.Ctx, "ip:later", time.Minute, later); err != nil {
			return err
		}
		return tx.InsertEmailLogin(h.Ctx, fresh, freshHash)
	})
	h.Tx(func(tx provisioning.StoreTx) error {
		// Purge as of the start of the window "ip:later" is in: that window still counts.
		n, err := tx.PurgeSignIns(h.Ctx, later.Truncate(time.Minute))
		if err != nil || n < 5 {
			t.Fatalf("purge removed %d rows (%v); want the old link, the expired session and 3 old windows", n, err)
		}
		WantCode(t, errOf(tx.GetEmailLoginByHash(h.Ctx, oldLogin)), provisioning.CodeNotFound)
		WantCode(t, errOf(tx.GetSessionByHash(h.Ctx, hashes["expired"])), provisioning.CodeNotFound)
		if _, err := tx.GetSessionByHash(h.Ctx, hashes["live"]); err != nil {
			t.Errorf("a live session was purged: %v", err)
		}
		if _, err := tx.GetEmailLoginByHash(h.Ctx, freshHash); err != nil {
			t.Errorf("a live sign-in link was purged: %v", err)
		}
		if n, err := tx.HitRateLimit(h.Ctx, "ip:later", time.Minute, later); err != nil || n != 2 {
			t.Errorf("a current rate-limit window was purged: %d hits, %v", n, err)
		}
		return nil
	})
}

func errOf[T any](_ T, err error) error { return err }

func testOutboxClaims(t *testing.T, h *Harness) {
	now := h.Clock.Now()
	h.Tx(func(tx provisioning.StoreTx) error {
		for i := range 30 {
			kind := provisioning.OutboxEmail
			if i%10 == 9 {
				kind = provisioning.OutboxWebhook
			}
			payload, _ := json.Marshal(map[string]int{"n": i})
			if err := tx.EnqueueOutbox(h.Ctx, provisioning.OutboxMessage{ID: provisioning.NewID(), Kind: kind,
				Topic: "t", Payload: payload, CreatedAt: now.Add(-time.Duration(i) * time.Millisecond)}); err != nil {
				return err
			}
		}
		return nil
	})
	claim := func(at time.Time, limit int) []provisioning.OutboxItem {
		var items []provisioning.OutboxItem
		h.Tx(func(tx provisioning.StoreTx) error {
			var err error
			items, err = tx.ClaimOutbox(h.Ctx, provisioning.OutboxClaim{Kind: provisioning.OutboxEmail, Now: at, Lease: time.Minute, Limit: limit})
			return err
		})
		return items
	}
	seen := map[string]int{}
	var mu = make(chan struct{}, 1)
	errs := parallel(9, func(int) error {
		for _, it := range claim(now, 3) {
			mu <- struct{}{}
			seen[it.ID]++
			<-mu
			if it.Kind != provisioning.OutboxEmail || it.Attempts != 1 {
				return fmt.Errorf("claimed %+v", it)
			}
		}
		return nil
	})
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(seen) != 27 {
		t.Fatalf("claimed %d distinct email messages, want 27: %v", len(seen), seen)
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("message %s claimed %d times", id, n)
		}
	}
	if again := claim(now.Add(30*time.Second), 100); len(again) != 0 {
		t.Fatalf("%d leased messages claimed again before the lease ended", len(again))
	}
	back := claim(now.Add(time.Minute), 3)
	if len(back) != 3 || back[0].Attempts != 2 {
		t.Fatalf("after the lease: %+v", back)
	}
	h.Tx(func(tx provisioning.StoreTx) error {
		if err := tx.CompleteOutbox(h.Ctx, back[0].ID, now, json.RawMessage(`{"redacted":true}`)); err != nil {
			return err
		}
		if err := tx.RetryOutbox(h.Ctx, back[1].ID, now.Add(time.Hour), "connection refused"); err != nil {
			return err
		}
		if err := tx.FailOutbox(h.Ctx, back[2].ID, "gave up"); err != nil {
			return err
		}
		WantCode(t, tx.RetryOutbox(h.Ctx, back[2].ID, now, "x"), provisioning.CodeNotFound)
		sent, err := tx.ListOutbox(h.Ctx, provisioning.OutboxQuery{Kind: provisioning.OutboxEmail, State: provisioning.OutboxSent})
		if err != nil || len(sent) != 1 || sent[0].SentAt == nil || string(sent[0].Payload) != `{"redacted":true}` {
			t.Errorf("sent: %+v, %v", sent, err)
		}
		failed, err := tx.ListOutbox(h.Ctx, provisioning.OutboxQuery{State: provisioning.OutboxFailed})
		if err != nil || len(failed) != 1 || failed[0].LastError != "gave up" {
			t.Errorf("failed: %+v, %v", failed, err)
		}
		webhooks, err := tx.ListOutbox(h.Ctx, provisioning.OutboxQuery{Kind: provisioning.OutboxWebhook, State: provisioning.OutboxPending})
		if err != nil || len(webhooks) != 3 || webhooks[0].Attempts != 0 {
			t.Errorf("webhooks untouched: %d, %v", len(webhooks), err)
		}
		return nil
	})
	testOutboxRequeue(t, h, back[2].ID, now)
}

// testOutboxRequeue: a failed message is queued again from scratch (its last error kept until
// the next attempt), only when failed and of the kind asked; the newest come first on demand.
func testOutboxRequeue(t *testing.T, h *Harness, failedID string, now time.Time) {
	h.Tx(func(tx provisioning.StoreTx) error {
		_, err := tx.RequeueOutbox(h.Ctx, failedID, provisioning.OutboxWebhook, now)
		WantCode(t, err, provisioning.CodeNotFound)
		due := now.Add(2 * time.Hour)
		again, err := tx.RequeueOutbox(h.Ctx, failedID, provisioning.OutboxEmail, due)
		if err != nil || again.State != provisioning.OutboxPending || again.Attempts != 0 || !again.NextAttemptAt.Equal(due) || again.LastError != "gave up" {
			t.Errorf("requeued: %+v, %v", again, err)
		}
		_, err = tx.RequeueOutbox(h.Ctx, failedID, provisioning.OutboxEmail, due)
		WantCode(t, err, provisioning.CodeNotFound)
		newest, err := tx.ListOutbox(h.Ctx, provisioning.OutboxQuery{Kind: provisioning.OutboxWebhook, Newest: true, Limit: 2})
		if err != nil || len(newest) != 2 || !newest[0].CreatedAt.After(newest[1].CreatedAt) {
			t.Errorf("newest webhooks first: %+v, %v", newest, err)
		}
		return nil
	})
}
