package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/rollcall/rollcall/provisioning"
)

// membersView is what members.html shows.
type membersView struct {
	base
	Filter              memberFilter
	Roles, Seats        []option
	Statuses, Actives   []option
	Sorts, Orders       []option
	Columns             []column
	Rows                []memberRow
	Seat                seatBar
	Next, First, CSV    string
	TruncatedPending    bool
	PendingCount, Shown int
}

// column is a sortable heading: its link flips the direction when the table is sorted by it.
type column struct {
	Text, Href string
	// AriaSort is "ascending" or "descending" on the column the table is sorted by.
	AriaSort string
}

// memberRow is one row of the table: a membership or a pending invitation.
type memberRow struct {
	ID, Name, Email, Role, Status, Source string
	Joined, LastActive                    string
	Pending, HasSeat                      bool
	// Href is the member's page; empty for an invitation.
	Href    string
	Actions rowActions
}

// seatBar is the seat usage: "12 / 25", the plan, and the viewers waiting for a seat.
type seatBar struct {
	Used, Limit        int
	Text, Plan         string
	Unlimited, Full    bool
	Waiting, Free      int
	CanAssign, Reserve bool
}

// members serves the members table: pending invitations first, then memberships, filtered,
// sorted and paged as the URL says.
func (o *Options) members(w http.ResponseWriter, r *http.Request, v *visit) error {
	f, err := parseFilter(r.URL.Query())
	if err != nil {
		return err
	}
	seats, err := o.Service.SeatUsage(r.Context(), v.actor, v.org.ID)
	if provisioning.IsCode(err, provisioning.CodeForbidden) {
		// The core refused; say it in the words of this page.
		return provisioning.Errorf(provisioning.CodeForbidden, "only owners and admins can see the member list: ask one of them, or open your API tokens")
	}
	if err != nil {
		return err
	}
	view := membersView{base: v.base(), Filter: f, Seat: newSeatBar(v.org, seats),
		Roles: options(roleChoices, f.Role), Seats: options(seatChoices, f.Seat), Statuses: options(statusChoices, f.Status),
		Actives: options(activeChoices, f.Active), Sorts: options(sortChoices, f.Sort),
		Orders:  options([][2]string{{"asc", "Ascending"}, {"desc", "Descending"}}, orDefault(f.Order, "asc")),
		Columns: columns(v.path("/members"), f), CSV: f.href(v.path("/members.csv"))}
	if err := o.fillRows(r.Context(), v, f, &view); err != nil {
		return err
	}
	return o.render(w, r, http.StatusOK, v.frame("Members", "/members"), "members.html", view)
}

// fillRows reads one page of rows: what is left of the pending invitations from f.skip on,
// then memberships after f.after until the page is full.
func (o *Options) fillRows(ctx context.Context, v *visit, f memberFilter, view *membersView) error {
	pending, err := o.pending(ctx, v, f)
	if err != nil {
		return err
	}
	view.PendingCount, view.TruncatedPending = len(pending.list), pending.truncated
	skip := min(f.skip, len(pending.list))
	shown := pending.list[skip:min(skip+pageSize, len(pending.list))]
	for _, inv := range shown {
		view.Rows = append(view.Rows, invitationRow(v, inv))
	}
	path := v.path("/members")
	if skip+len(shown) < len(pending.list) {
		view.Next = f.href(path, "skip", strconv.Itoa(skip+len(shown)))
	}
	if room := pageSize - len(shown); room > 0 && f.withMembers() {
		q := f.memberQuery(v.org.ID, o.Service.Now())
		q.Limit = room
		list, err := o.Service.ListMembers(ctx, v.actor, q)
		if err != nil {
			return err
		}
		for _, m := range list {
			view.Rows = append(view.Rows, memberRowOf(v, m))
		}
		if len(list) == room {
			last := list[len(list)-1]
			view.Next = f.href(path, "skip", strconv.Itoa(len(pending.list)), "cursor", encodeCursor(provisioning.Cursor{Key: last.SortValue(q.Sort), ID: last.ID}))
		}
	}
	if f.skip > 0 || f.after != nil {
		view.First = f.href(path)
	}
	view.Shown = len(view.Rows)
	return nil
}

func memberRowOf(v *visit, m provisioning.Member) memberRow {
	a := memberActions(v.member, m)
	a.ID, a.Who, a.CSRF, a.Path = m.ID, m.Email, v.csrf, v.path("")
	return memberRow{ID: m.ID, Name: displayName(m), Email: m.Email, Role: string(m.Role), Status: string(m.Status),
		Source: sourceLabel(m.Source), Joined: date(m.JoinedAt), LastActive: datePtr(m.LastActiveAt, "never"),
		HasSeat: m.HasSeat, Href: v.path("/members/" + m.ID), Actions: a}
}

func invitationRow(v *visit, inv provisioning.Invitation) memberRow {
	a := invitationActions(v.role(), inv)
	a.ID, a.Who, a.CSRF, a.Path = inv.ID, inv.Email, v.csrf, v.path("")
	expires := "never expires"
	if inv.ExpiresAt != nil {
		expires = "expires " + date(*inv.ExpiresAt)
	}
	return memberRow{ID: inv.ID, Email: inv.Email, Role: string(inv.Role), Status: statusPending,
		Source: "invite", Joined: "invited " + date(inv.CreatedAt), LastActive: expires, Pending: true,
		HasSeat: reservesSeat(v.org, inv), Actions: a}
}

func newSeatBar(org provisioning.OrgView, s provisioning.SeatReport) seatBar {
	b := seatBar{Used: s.Used, Limit: int(s.Limit), Text: s.Display, Plan: string(org.Plan), Unlimited: s.Limit.IsUnlimited(),
		Waiting: s.WaitingViewers, Free: s.Free, Reserve: settingsOf(org).ReserveSeatsForInvites}
	b.Full = !b.Unlimited && s.Free == 0
	b.CanAssign = s.WaitingViewers > 0 && (b.Unlimited || s.Free > 0)
	return b
}

// columns are the table's sortable headings.
func columns(path string, f memberFilter) []column {
	out := make([]column, 0, len(sortChoices))
	for _, c := range sortChoices {
		col := column{Text: c[1], Href: f.href(path, "sort", c[0], "order", "")}
		if f.Sort == c[0] {
			col.AriaSort = "ascending"
			if f.Order == "desc" {
				col.AriaSort = "descending"
			} else {
				col.Href = f.href(path, "sort", c[0], "order", "desc")
			}
		}
		out = append(out, col)
	}
	return out
}

// assignSeats promotes waiting viewers to member while seats last, and says how it went.
func (o *Options) assignSeats(w http.ResponseWriter, r *http.Request, v *visit) error {
	res, err := o.Service.AssignSeatsToViewers(r.Context(), v.actor, v.org.ID)
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("Promoted %s to member; %s still waiting for a seat.", plural(res.Promoted, "viewer", "viewers"), plural(res.Waiting, "viewer", "viewers"))
	redirectWithNotice(w, r, v.path("/members"), msg, o.SecureCookies)
	return nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
