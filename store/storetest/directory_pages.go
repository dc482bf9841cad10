package storetest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/rollcall/rollcall/provisioning"
)

// DirectoryUserPages checks that every page of an unfiltered SCIM user list is the slice of
// the org's ids, in order, that an offset walk gives, while directory users are added and
// removed between reads (before a page's start, at it, inside it, after it, in another org, in
// a rolled-back transaction). A page is read again after a read of it or of the page before,
// so it starts from whatever the store remembered; an anchor kept past a change shifts it.
// The org's first 1,350 directory users are seeded by bulk SQL (SeedMembers); later ones go
// through the pipeline with random ids, so they land anywhere in the order.
func DirectoryUserPages(t *testing.T, b Backend) {
	db, exec := b.OpenWithSQL(t)
	h := NewHarness(t, db)
	org := h.CreateOrg("paged", -1, "owner@paged.com").Org.ID
	other := h.CreateOrg("paged2", -1, "owner@paged2.com").Org.ID
	ids := SeedMembers(t, h, exec, b.Name, org, 1, 1350)
	slices.Sort(ids)
	seq := 0
	add := func(tx provisioning.StoreTx, orgID string) string {
		seq++
		return seedDirectoryUser(t, h, tx, orgID, fmt.Sprintf("p%d@paged.com", seq), "").ID
	}
	const limit = 100
	check := func(step string, offset, reads int) {
		t.Helper()
		for read := range reads {
			var got []string
			var total int
			err := h.Store.View(h.Ctx, func(tx provisioning.StoreTx) error {
				page, n, err := tx.ListDirectoryUsers(h.Ctx, provisioning.DirectoryQuery{OrgID: org, Offset: offset, Limit: limit})
				got, total = nil, n
				for _, u := range page {
					got = append(got, u.ID)
				}
				return err
			})
			if err != nil {
				t.Fatalf("%s: page at %d: %v", step, offset, err)
			}
			want := ids[min(offset, len(ids)):min(offset+limit, len(ids))]
			if total != len(ids) || !slices.Equal(got, want) {
				t.Fatalf("%s: page at %d (read %d): total %d, want %d; ids %v…, want %v…",
					step, offset, read+1, total, len(ids), head(got), head(want))
			}
		}
	}
	walk := func(step string) {
		t.Helper()
		for offset := 0; offset < len(ids)+limit; offset += limit {
			check(step, offset, 1)
		}
	}
	remove := func(i int) {
		id := ids[i]
		h.Tx(func(tx provisioning.StoreTx) error { return tx.DeleteDirectoryUser(h.Ctx, org, id) })
		ids = slices.Delete(ids, i, i+1)
	}
	insert := func() {
		var id string
		h.Tx(func(tx provisioning.StoreTx) error { id = add(tx, org); return nil })
		ids = append(ids, id)
		slices.Sort(ids)
	}

	walk("first walk")
	walk("second walk")
	steps := []struct {
		name   string
		change func()
	}{
		{"removed before the page", func() { remove(10) }},
		{"removed at the page's start", func() { remove(1100) }},
		{"removed inside the page", func() { remove(1150) }},
		{"removed after the page", func() { remove(1300) }},
		{"inserted", insert},
		{"inserted twice", func() { insert(); insert() }},
		{"removed and inserted", func() { remove(5); insert() }},
		{"another org changed", func() { h.Tx(func(tx provisioning.StoreTx) error { add(tx, other); return nil }) }},
		{"one added and one removed in a transaction", func() {
			// The count is the same afterwards; the ids moved.
			var id string
			h.Tx(func(tx provisioning.StoreTx) error {
				id = add(tx, org)
				return tx.DeleteDirectoryUser(h.Ctx, org, ids[0])
			})
			ids = append(ids[1:], id)
			slices.Sort(ids)
		}},
		{"rolled back", func() {
			err := h.Store.Update(h.Ctx, func(tx provisioning.StoreTx) error {
				add(tx, org)
				return errStop
			})
			if err != errStop {
				t.Fatalf("rollback: %v", err)
			}
		}},
	}
	for _, s := range steps {
		s.change()
		for _, offset := range []int{1000, 1100, 1200} {
			check(s.name, offset, 2)
		}
	}
	walk("last walk")
}

func head(ids []string) []string { return ids[:min(3, len(ids))] }
