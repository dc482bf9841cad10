package provisioning

import "time"

// Membership is a user in an org: role, status, how they came in and their external ids.
// It holds a seat exactly when it is active and its role is not viewer.
type Membership struct {
	ID           string     `json:"id"`
	OrgID        string     `json:"orgId"`
	UserID       string     `json:"userId"`
	Role         Role       `json:"role"`
	Status       Status     `json:"status"`
	Source       Entrance   `json:"source"`
	ExternalID   string     `json:"externalId,omitempty"`
	Groups       []string   `json:"groups,omitempty"`
	JoinedAt     time.Time  `json:"joinedAt"`
	LastActiveAt *time.Time `json:"lastActiveAt,omitempty"`
	UpdatedAt    time.Time  `json:"updatedAt"`
}

// HasSeat reports whether the membership holds a paid seat.
func (m Membership) HasSeat() bool { return m.Status == StatusActive && m.Role.NeedsSeat() }

// Member is a membership together with its user, as lists and exports show it.
type Member struct {
	Membership
	Email     string `json:"email"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	HasSeat   bool   `json:"hasSeat"`
}

// NewMember joins a membership and its user.
func NewMember(m Membership, u User) Member {
	return Member{Membership: m, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName, HasSeat: m.HasSeat()}
}

// UserOrg is one of a user's memberships with its org, as the signed-in home page lists them.
type UserOrg struct {
	Org        OrgRef     `json:"org"`
	Membership Membership `json:"membership"`
	HasSeat    bool       `json:"hasSeat"`
}
