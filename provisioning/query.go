package provisioning

import "time"

// SeatFilter narrows a member list by seat.
type SeatFilter string

// Seat filters.
const (
	SeatAll     SeatFilter = ""
	SeatWith    SeatFilter = "with"
	SeatWithout SeatFilter = "without"
)

// SortKey orders a member list.
type SortKey string

// Sort keys for member lists.
const (
	SortByName       SortKey = "name"
	SortByEmail      SortKey = "email"
	SortByJoined     SortKey = "joined"
	SortByLastActive SortKey = "last_active"
)

// MemberQuery filters, sorts and pages a member list. The same query drives the CSV export.
type MemberQuery struct {
	OrgID  string
	Search string
	Role   Role
	Seat   SeatFilter
	// Status filters by membership status; empty means active and suspended (not removed).
	Status           Status
	LastActiveBefore time.Time
	LastActiveAfter  time.Time
	Sort             SortKey
	Desc             bool
	// After is the keyset cursor: the sort value and id of the last row of the previous page.
	After *Cursor
	// Limit caps the page; 0 means no cap (exports).
	Limit int
}

// Cursor is a position in a sorted member list: the sort value of the last row and its id.
type Cursor struct {
	Key string `json:"k"`
	ID  string `json:"i"`
}

// SortValue is the key a member sorts by under s, as stored in a Cursor.
func (m Member) SortValue(s SortKey) string {
	switch s {
	case SortByEmail:
		return m.Email
	case SortByJoined:
		return m.JoinedAt.UTC().Format(time.RFC3339Nano)
	case SortByLastActive:
		if m.LastActiveAt == nil {
			return ""
		}
		return m.LastActiveAt.UTC().Format(time.RFC3339Nano)
	default:
		return m.sortName()
	}
}

func (m Member) sortName() string { return SortName(m.FirstName, m.LastName, m.Email) }
