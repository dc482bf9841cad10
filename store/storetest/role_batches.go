package storetest

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

// testRoleBatches covers the set-wise writes of directory role changes across a statement
// boundary (501 rows): roles with the seat counter moved once, an id of another org refused
// with nothing written, audit and outbox rows kept as given, and the audit of
// SetRolesByDirectoryTx saying per member what the pipeline says.
func testRoleBatches(t *testing.T, h *Harness) {
	o := h.CreateOrg("acme", 1000, "owner@acme.com")
	org := o.Org.ID
	other := h.CreateOrg("other", -1, "owner@other.com")
	var users []provisioning.DirectoryUser
	h.Tx(func(tx provisioning.StoreTx) error {
		for i := range 501 {
			users = append(users, seedDirectoryUser(t, h, tx, org, fmt.Sprintf("u%03d@acme.com", i), ""))
		}
		return nil
	})
	before := h.Usage(org).Used
	changes := make([]provisioning.RoleChange, len(users))
	ids := make([]string, len(users))
	for i, u := range users {
		role := provisioning.RoleViewer
		if i >= 300 {
			role = provisioning.RoleAdmin
		}
		changes[i], ids[i] = provisioning.RoleChange{MembershipID: u.MembershipID, Role: role, UpdatedAt: h.Clock.Now()}, u.MembershipID
	}
	stray := append(changes[:1:1], provisioning.RoleChange{MembershipID: other.Owner.Membership.ID, Role: provisioning.RoleViewer, UpdatedAt: h.Clock.Now()})
	err := h.Store.Update(h.Ctx, func(tx provisioning.StoreTx) error { return tx.UpdateMembershipRoles(h.Ctx, org, stray) })
	WantCode(t, err, provisioning.CodeNotFound)
	h.Tx(func(tx provisioning.StoreTx) error {
		if _, err := tx.LockMembersByID(h.Ctx, org, ids); err != nil {
			return err
		}
		return tx.UpdateMembershipRoles(h.Ctx, org, changes)
	})
	if got := h.Usage(org).Used; got != before-300 {
		t.Fatalf("seats after 300 members became viewers: %d, want %d", got, before-300)
	}
	h.Tx(func(tx provisioning.StoreTx) error {
		for i, u := range users {
			m, err := tx.GetMembershipByID(h.Ctx, org, u.MembershipID)
			if err != nil || m.Role != changes[i].Role || !m.UpdatedAt.Equal(changes[i].UpdatedAt) {
				t.Fatalf("member %d: %+v %v, want %s", i, m, err, changes[i].Role)
			}
		}
		return nil
	})

	events := make([]provisioning.AuditEvent, 501)
	msgs := make([]provisioning.OutboxMessage, 501)
	for i := range events {
		events[i] = provisioning.AuditEvent{ID: provisioning.NewID(), OrgID: "batch-org", At: h.Clock.Now(),
			ActorKind: provisioning.ActorDirectory, ActorID: "a", ActorLabel: "dir", Entrance: provisioning.EntranceSCIM,
			Action: "batch.test", TargetType: "member", TargetID: fmt.Sprint(i), After: []byte(`{"n":1}`), Reason: "why"}
		if i%2 == 0 {
			events[i].Before = []byte(`{"n":0}`)
		}
		msgs[i] = provisioning.OutboxMessage{ID: provisioning.NewID(), OrgID: "batch-org", Kind: provisioning.OutboxWebhook,
			Topic: "batch.test", Payload: []byte(fmt.Sprintf(`{"i":%d}`, i)), CreatedAt: h.Clock.Now()}
	}
	h.Tx(func(tx provisioning.StoreTx) error {
		if err := tx.AppendAudits(h.Ctx, events); err != nil {
			return err
		}
		return tx.EnqueueOutboxes(h.Ctx, msgs)
	})
	h.Tx(func(tx provisioning.StoreTx) error {
		got, err := tx.ListAudit(h.Ctx, provisioning.AuditQuery{OrgID: "batch-org", Action: "batch.test"})
		if err != nil || len(got) != len(events) {
			t.Fatalf("audit: %d events, %v", len(got), err)
		}
		for i, e := range got {
			want := events[len(events)-1-i] // newest first
			if !e.At.Equal(want.At) {
				t.Fatalf("event %d at %v, want %v", i, e.At, want.At)
			}
			e.At = want.At
			if !reflect.DeepEqual(e, want) {
				t.Fatalf("event %d:\n got %+v\nwant %+v", i, e, want)
			}
		}
		out, err := tx.ListOutbox(h.Ctx, provisioning.OutboxQuery{OrgID: "batch-org", Kind: provisioning.OutboxWebhook})
		if err != nil || len(out) != len(msgs) {
			t.Fatalf("outbox: %d messages, %v", len(out), err)
		}
		for i, m := range out {
			want := msgs[i]
			if m.ID != want.ID || m.Topic != want.Topic || string(m.Payload) != string(want.Payload) || m.State != provisioning.OutboxPending ||
				!m.NextAttemptAt.Equal(want.CreatedAt) || !m.CreatedAt.Equal(want.CreatedAt) || m.Attempts != 0 {
				t.Fatalf("message %d: %+v, want %+v", i, m, want)
			}
		}
		return nil
	})
	checkSettleAcrossStatements(t, h, len(msgs))

	// Through the core: a member listed twice is decided from its new state, and each change
	// is audited with the snapshots and reason the pipeline writes.
	limit := h.Usage(org).Used + 1
	if _, err := h.Service.UpdateOrg(h.Ctx, provisioning.Operator(), org, provisioning.OrgUpdate{SeatLimit: &limit}); err != nil {
		t.Fatal(err)
	}
	dir := provisioning.Actor{Kind: provisioning.ActorDirectory, OrgID: org, Role: provisioning.RoleOwner}
	a, b := users[0], users[1] // viewers
	err = h.Store.Update(h.Ctx, func(tx provisioning.StoreTx) error {
		return h.Service.SetRolesByDirectoryTx(h.Ctx, provisioning.Wrap(tx), dir, org, []provisioning.DirectoryRole{
			{MembershipID: a.MembershipID, Role: provisioning.RoleMember},
			{MembershipID: b.MembershipID, Role: provisioning.RoleMember},
			{MembershipID: users[400].MembershipID, Role: provisioning.RoleMember},
			{MembershipID: users[400].MembershipID, Role: provisioning.RoleViewer},
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	h.CheckSeatCounter(org)
	h.Tx(func(tx provisioning.StoreTx) error {
		for _, c := range []struct {
			u      provisioning.DirectoryUser
			role   provisioning.Role
			audits []string
		}{
			{a, provisioning.RoleMember, []string{`{"role":"viewer","status":"active","hasSeat":false,"source":"scim","email":"u000@acme.com"}` +
				` {"role":"member","status":"active","hasSeat":true,"source":"scim","email":"u000@acme.com"} directory group rules`}},
			{b, provisioning.RoleViewer, nil}, // no seat left: stays a viewer, nothing changed
			{users[400], provisioning.RoleViewer, []string{
				`{"role":"member","status":"active","hasSeat":true,"source":"scim","email":"u400@acme.com"} {"role":"viewer","status":"active","hasSeat":false,"source":"scim","email":"u400@acme.com"} directory group rules`,
				`{"role":"admin","status":"active","hasSeat":true,"source":"scim","email":"u400@acme.com"} {"role":"member","status":"active","hasSeat":true,"source":"scim","email":"u400@acme.com"} directory group rules`,
			}},
		} {
			m, err := tx.GetMembershipByID(h.Ctx, org, c.u.MembershipID)
			if err != nil || m.Role != c.role {
				t.Fatalf("%s: %s %v, want %s", c.u.MembershipID, m.Role, err, c.role)
			}
			got, err := tx.ListAudit(h.Ctx, provisioning.AuditQuery{OrgID: org, Action: "member.role_changed", TargetID: c.u.MembershipID})
			if err != nil {
				return err
			}
			var lines []string
			for _, e := range got {
				lines = append(lines, string(e.Before)+" "+string(e.After)+" "+e.Reason)
			}
			if strings.Join(lines, "\n") != strings.Join(c.audits, "\n") {
				t.Fatalf("audit of %s:\n%s\nwant\n%s", c.u.MembershipID, strings.Join(lines, "\n"), strings.Join(c.audits, "\n"))
			}
		}
		return nil
	})
}

// checkSettleAcrossStatements claims every due webhook (among them batch-org's n) and settles
// them in one call, every third one failed for a retry, across more rows than one statement
// carries: each outcome is recorded once.
func checkSettleAcrossStatements(t *testing.T, h *Harness, n int) {
	t.Helper()
	at := h.Clock.Now().Add(time.Second)
	var claimed []provisioning.OutboxItem
	h.Tx(func(tx provisioning.StoreTx) error {
		var err error
		claimed, err = tx.ClaimOutbox(h.Ctx, provisioning.OutboxClaim{Kind: provisioning.OutboxWebhook, Now: at, Lease: time.Minute, Limit: 10 * n})
		return err
	})
	outcomes := make([]provisioning.OutboxSettlement, len(claimed))
	for i, m := range claimed {
		outcomes[i] = provisioning.OutboxSettlement{ID: m.ID, Attempt: m.Attempts, State: provisioning.OutboxSent, At: at}
		if i%3 == 0 {
			outcomes[i].State, outcomes[i].At, outcomes[i].LastError = provisioning.OutboxPending, at.Add(time.Hour), fmt.Sprint("refused ", i)
		}
	}
	h.Tx(func(tx provisioning.StoreTx) error {
		settled, err := tx.SettleOutbox(h.Ctx, outcomes)
		if err != nil || settled != len(claimed) || len(claimed) < n {
			t.Fatalf("settled %d of %d claimed (%d of batch-org enqueued), %v", settled, len(claimed), n, err)
		}
		for _, state := range []provisioning.OutboxState{provisioning.OutboxSent, provisioning.OutboxPending} {
			got, err := tx.ListOutbox(h.Ctx, provisioning.OutboxQuery{Kind: provisioning.OutboxWebhook, State: state})
			if err != nil {
				return err
			}
			want := map[string]provisioning.OutboxSettlement{}
			for _, o := range outcomes {
				if o.State == state {
					want[o.ID] = o
				}
			}
			if len(got) != len(want) {
				t.Fatalf("%s: %d messages, want %d", state, len(got), len(want))
			}
			for _, m := range got {
				if o, ok := want[m.ID]; !ok || m.LastError != o.LastError || m.Attempts != o.Attempt {
					t.Fatalf("%s message %+v, want %+v", state, m, o)
				}
			}
		}
		return nil
	})
}
