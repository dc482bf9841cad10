package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

// testOutboxOrderedClaims: an ordered claim takes the oldest due messages, at most a prefix of
// each org's, never one behind an org's message that is leased or waiting for a retry; settling
// a batch records each outcome once, skips messages claimed again since, and purging deletes
// only sent messages older than the cutoff.
func testOutboxOrderedClaims(t *testing.T, h *Harness) {
	now := h.Clock.Now()
	var ids []string
	h.Tx(func(tx provisioning.StoreTx) error {
		for i := range 6 {
			id := provisioning.NewID()
			ids = append(ids, id)
			if err := tx.EnqueueOutbox(h.Ctx, provisioning.OutboxMessage{ID: id, OrgID: fmt.Sprintf("org%d", i%2), Kind: provisioning.OutboxWebhook,
				Topic: "t", Payload: []byte(`{}`), CreatedAt: now.Add(time.Duration(i) * time.Millisecond)}); err != nil {
				return err
			}
		}
		return nil
	})
	claim := func(at time.Time, limit int) []provisioning.OutboxItem {
		var items []provisioning.OutboxItem
		h.Tx(func(tx provisioning.StoreTx) error {
			var err error
			items, err = tx.ClaimOutbox(h.Ctx, provisioning.OutboxClaim{Kind: provisioning.OutboxWebhook, Now: at, Lease: time.Minute, Limit: limit, Ordered: true})
			return err
		})
		return items
	}
	settle := func(s ...provisioning.OutboxSettlement) int {
		var n int
		h.Tx(func(tx provisioning.StoreTx) error {
			var err error
			n, err = tx.SettleOutbox(h.Ctx, s)
			return err
		})
		return n
	}
	at := now.Add(time.Second)
	first := claim(at, 3) // org0: m0 m2, org1: m1
	if got := idsOf(first); fmt.Sprint(got) != fmt.Sprint(ids[:3]) {
		t.Fatalf("first claim %v, want the three oldest %v", got, ids[:3])
	}
	if again := claim(at, 10); len(again) != 0 {
		t.Fatalf("claimed %v behind leased messages of the same orgs", idsOf(again))
	}
	// m0 fails (retry in an hour), m1 is sent, m2 is released behind m0.
	if n := settle(
		provisioning.OutboxSettlement{ID: ids[0], Attempt: 1, State: provisioning.OutboxPending, At: at.Add(time.Hour), LastError: "refused"},
		provisioning.OutboxSettlement{ID: ids[1], Attempt: 1, State: provisioning.OutboxSent, At: at, Payload: []byte(`{"kept":1}`)},
		provisioning.OutboxSettlement{ID: ids[2], Attempt: 1, State: provisioning.OutboxPending, At: at, Released: true},
		provisioning.OutboxSettlement{ID: ids[3], Attempt: 1, State: provisioning.OutboxSent, At: at}, // never claimed: skipped
	); n != 3 {
		t.Fatalf("settled %d, want 3", n)
	}
	// org0 waits behind m0; org1 goes on with m3 and m5.
	if got := idsOf(claim(at, 10)); fmt.Sprint(got) != fmt.Sprint([]string{ids[3], ids[5]}) {
		t.Fatalf("claim after the failure %v, want org1's %v", got, []string{ids[3], ids[5]})
	}
	// m0 is due again and goes alone: org0's m2 and m4 sort before it, so they wait for it
	// (org1's m3 and m5 come back after their lease).
	retry := claim(at.Add(2*time.Hour), 10)
	if got := idsOf(retry); fmt.Sprint(got) != fmt.Sprint([]string{ids[0], ids[3], ids[5]}) || retry[0].Attempts != 2 {
		t.Fatalf("claim after the retry time %v, want m0 (attempt 2) and org1's %v", got, []string{ids[0], ids[3], ids[5]})
	}
	settle(provisioning.OutboxSettlement{ID: ids[0], Attempt: 2, State: provisioning.OutboxSent, At: at})
	later := claim(at, 10)
	if got := idsOf(later); fmt.Sprint(got) != fmt.Sprint([]string{ids[2], ids[4]}) || later[0].Attempts != 1 {
		t.Fatalf("claim after m0 went out %v, want org0's %v in order, the released one at attempt 1", got, []string{ids[2], ids[4]})
	}
	h.Tx(func(tx provisioning.StoreTx) error {
		items, err := tx.ListOutbox(h.Ctx, provisioning.OutboxQuery{Kind: provisioning.OutboxWebhook})
		if err != nil {
			return err
		}
		for _, it := range items {
			if it.ID == ids[1] && (it.State != provisioning.OutboxSent || string(it.Payload) != `{"kept":1}` || it.SentAt == nil) {
				t.Errorf("sent message: %+v", it)
			}
			if it.ID == ids[2] && it.LastError != "" {
				t.Errorf("released message got an error: %+v", it)
			}
		}
		return nil
	})
	testOutboxPurge(t, h, at)
}

// testOutboxPurge: only sent messages older than the cutoff go, at most limit per call.
func testOutboxPurge(t *testing.T, h *Harness, sentAt time.Time) {
	purge := func(before time.Time, limit int) int64 {
		var n int64
		h.Tx(func(tx provisioning.StoreTx) error {
			var err error
			n, err = tx.PurgeOutbox(h.Ctx, provisioning.OutboxWebhook, before, limit)
			return err
		})
		return n
	}
	if n := purge(sentAt, 10); n != 0 {
		t.Fatalf("purged %d sent at the cutoff", n)
	}
	h.Tx(func(tx provisioning.StoreTx) error {
		if err := tx.EnqueueOutbox(h.Ctx, provisioning.OutboxMessage{ID: "failed-1", Kind: provisioning.OutboxWebhook, Topic: "t", Payload: []byte(`{}`), CreatedAt: sentAt}); err != nil {
			return err
		}
		return tx.FailOutbox(h.Ctx, "failed-1", "gave up")
	})
	if n := purge(sentAt.Add(time.Hour), 1); n != 1 {
		t.Fatalf("purged %d, want 1 (the limit)", n)
	}
	if n := purge(sentAt.Add(time.Hour), 10); n != 1 {
		t.Fatalf("purged %d, want the other sent message", n)
	}
	h.Tx(func(tx provisioning.StoreTx) error {
		left, err := tx.ListOutbox(h.Ctx, provisioning.OutboxQuery{Kind: provisioning.OutboxWebhook})
		for _, it := range left {
			if it.State == provisioning.OutboxSent {
				t.Errorf("sent message kept: %+v", it)
			}
		}
		if failed, _ := tx.ListOutbox(h.Ctx, provisioning.OutboxQuery{State: provisioning.OutboxFailed}); len(failed) == 0 {
			t.Error("the failed message was purged")
		}
		return err
	})
}

func idsOf(items []provisioning.OutboxItem) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.ID
	}
	return out
}
