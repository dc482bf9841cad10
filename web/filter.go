package web

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

// pageSize is how many rows a members page shows.
const pageSize = 50

// statusPending is the members filter's status for pending invitations, which are not
// memberships: the console lists them in the same table.
const statusPending = "pending"

// memberFilter is the members page's query: search, filters, sort and position. The table,
// its pages and the CSV export all read it from the same URL parameters.
type memberFilter struct {
	Q, Role, Seat, Status, Active, Sort, Order string
	// skip is how many pending invitations earlier pages showed; after is the members cursor.
	skip  int
	after *provisioning.Cursor
}

// Choices of the filters, as the page offers them (value, label).
var (
	roleChoices   = [][2]string{{"", "All roles"}, {"owner", "Owner"}, {"admin", "Admin"}, {"member", "Member"}, {"viewer", "Viewer"}}
	seatChoices   = [][2]string{{"", "All"}, {"with", "With seat"}, {"without", "Without seat"}}
	statusChoices = [][2]string{{"", "Active, suspended and pending"}, {"active", "Active"}, {"suspended", "Suspended"},
		{statusPending, "Pending invitation"}, {"removed", "Removed"}}
	activeChoices = [][2]string{{"", "Any time"}, {"7d", "In the last 7 days"}, {"30d", "In the last 30 days"},
		{"90d", "In the last 90 days"}, {"idle30", "Not in the last 30 days"}}
	sortChoices = [][2]string{{"name", "Name"}, {"email", "Email"}, {"joined", "Joined"}, {"last_active", "Last active"}}
)

// parseFilter reads the filter from a query, refusing values the page does not offer.
func parseFilter(q url.Values) (memberFilter, error) {
	f := memberFilter{Q: strings.TrimSpace(q.Get("q")), Role: q.Get("role"), Seat: q.Get("seat"), Status: q.Get("status"),
		Active: q.Get("active"), Sort: q.Get("sort"), Order: q.Get("order")}
	if f.Seat == "all" {
		f.Seat = ""
	}
	if f.Sort == "" {
		f.Sort = "name"
	}
	if len(f.Q) > 200 {
		return f, provisioning.Invalidf("q", "the search is longer than 200 characters")
	}
	for _, c := range []struct {
		name, value string
		choices     [][2]string
	}{{"role", f.Role, roleChoices}, {"seat", f.Seat, seatChoices}, {"status", f.Status, statusChoices},
		{"last active", f.Active, activeChoices}, {"sort", f.Sort, sortChoices}, {"order", f.Order, [][2]string{{"", ""}, {"asc", ""}, {"desc", ""}}}} {
		if !offered(c.choices, c.value) {
			return f, provisioning.Invalidf(c.name, "%q is not a %s this page offers", c.value, c.name)
		}
	}
	if s := q.Get("skip"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return f, provisioning.Invalidf("skip", "this page link is not valid: start from the first page")
		}
		f.skip = n
	}
	if c := q.Get("cursor"); c != "" {
		cur, err := decodeCursor(c)
		if err != nil {
			return f, err
		}
		f.after = cur
	}
	return f, nil
}

func offered(choices [][2]string, v string) bool {
	for _, c := range choices {
		if c[0] == v {
			return true
		}
	}
	return false
}

// memberQuery is the core's query for the filter's memberships (pending invitations aside).
func (f memberFilter) memberQuery(orgID string, now time.Time) provisioning.MemberQuery {
	q := provisioning.MemberQuery{OrgID: orgID, Search: f.Q, Role: provisioning.Role(f.Role),
		Seat: provisioning.SeatFilter(f.Seat), Status: provisioning.Status(f.Status),
		Sort: provisioning.SortKey(f.Sort), Desc: f.Order == "desc", After: f.after}
	switch f.Active {
	case "7d", "30d", "90d":
		days, _ := strconv.Atoi(strings.TrimSuffix(f.Active, "d"))
		q.LastActiveAfter = now.AddDate(0, 0, -days)
	case "idle30":
		q.LastActiveBefore = now.AddDate(0, 0, -30)
	}
	return q
}

// withMembers reports whether the filter lists memberships; showsPending whether it lists
// pending invitations (which have never been active and have no status of a membership).
func (f memberFilter) withMembers() bool { return f.Status != statusPending }
func (f memberFilter) showsPending() bool {
	return (f.Status == "" || f.Status == statusPending) && f.Active == ""
}

// values is the filter as URL parameters, without the position; set overrides some of them.
func (f memberFilter) values(set ...string) url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"q": f.Q, "role": f.Role, "seat": f.Seat, "status": f.Status,
		"active": f.Active, "sort": f.Sort, "order": f.Order} {
		if s != "" && !(k == "sort" && s == "name") {
			v.Set(k, s)
		}
	}
	for i := 0; i+1 < len(set); i += 2 {
		if set[i+1] == "" {
			v.Del(set[i])
		} else {
			v.Set(set[i], set[i+1])
		}
	}
	return v
}

// href is path with the filter's query.
func (f memberFilter) href(path string, set ...string) string {
	if q := f.values(set...).Encode(); q != "" {
		return path + "?" + q
	}
	return path
}

func encodeCursor(c provisioning.Cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (*provisioning.Cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	var c provisioning.Cursor
	if err != nil || json.Unmarshal(b, &c) != nil || c.ID == "" {
		return nil, provisioning.Invalidf("cursor", "this page link is not valid: start from the first page")
	}
	return &c, nil
}
