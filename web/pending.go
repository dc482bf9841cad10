package web

import (
	"context"
	"sort"
	"strings"

	"github.com/rollcall/rollcall/invites"
	"github.com/rollcall/rollcall/provisioning"
)

// maxPending bounds the pending invitations the members table reads for one page; an org with
// more sees the newest ones and a note.
const maxPending = 5000

// pendingList is the org's pending invitations matching a filter, sorted like the table.
type pendingList struct {
	list []provisioning.Invitation
	// truncated is set when the org has more pending invitations than were read.
	truncated bool
}

// pending reads the pending invitations the filter shows: the members table lists them above
// the memberships, and the CSV export before them. Search matches the address; a pending
// invitation holds a seat when the org reserves seats for invitations and its role needs one.
func (o *Options) pending(ctx context.Context, v *visit, f memberFilter) (pendingList, error) {
	var out pendingList
	if !f.showsPending() {
		return out, nil
	}
	q := strings.ToLower(f.Q)
	before := ""
	for {
		page, err := o.Invites.List(ctx, v.actor, v.org.ID, invites.ListQuery{State: provisioning.InvitationPending, Before: before, Limit: 500})
		if err != nil {
			return out, err
		}
		for _, inv := range page {
			if matchesPending(inv, f, q, reservesSeat(v.org, inv)) {
				out.list = append(out.list, inv)
			}
		}
		if len(page) < 500 {
			break
		}
		if len(out.list) >= maxPending {
			out.truncated = true
			break
		}
		before = page[len(page)-1].ID
	}
	sortPending(out.list, f)
	return out, nil
}

func matchesPending(inv provisioning.Invitation, f memberFilter, q string, seat bool) bool {
	switch {
	case q != "" && !strings.Contains(inv.Email, q):
		return false
	case f.Role != "" && string(inv.Role) != f.Role:
		return false
	case f.Seat == "with" && !seat, f.Seat == "without" && seat:
		return false
	}
	return true
}

// reservesSeat reports whether a pending invitation holds one of the org's seats.
func reservesSeat(org provisioning.OrgView, inv provisioning.Invitation) bool {
	return settingsOf(org).ReserveSeatsForInvites && inv.Role.NeedsSeat()
}

// sortPending orders invitations as the table's sort asks: by address for name and email (an
// invitee has no name yet), by the time of the invitation for joined and last active.
func sortPending(list []provisioning.Invitation, f memberFilter) {
	byTime := f.Sort == "joined" || f.Sort == "last_active"
	sort.SliceStable(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if f.Order == "desc" {
			a, b = b, a
		}
		if byTime && !a.CreatedAt.Equal(b.CreatedAt) {
			return a.CreatedAt.Before(b.CreatedAt)
		}
		return a.Email < b.Email
	})
}
