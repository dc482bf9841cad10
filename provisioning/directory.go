package provisioning

import (
	"context"
	"encoding/json"
	"time"
)

// DirectoryTokenPrefix starts every SCIM directory bearer token.
const DirectoryTokenPrefix = "scim_"

// DirectoryToken is a bearer token of an org's SCIM directory. Several may be live at once so
// that an IdP can be moved to a new token before the old one is revoked. Only the hash is stored.
type DirectoryToken struct {
	ID         string     `json:"id"`
	OrgID      string     `json:"orgId"`
	Name       string     `json:"name"`
	Hint       string     `json:"hint"`
	Hash       []byte     `json:"-"`
	CreatedBy  string     `json:"createdBy,omitempty"`
	CreatedAt  time.Time  `json:"createdAt"`
	LastUsedAt *time.Time `json:"lastUsedAt,omitempty"`
	RevokedAt  *time.Time `json:"revokedAt,omitempty"`
	// Secret is set only in the answer to its creation.
	Secret string `json:"secret,omitempty"`
}

// Active reports whether the token may still be used.
func (t DirectoryToken) Active() bool { return t.RevokedAt == nil }

// DirectoryUser is a SCIM User of an org's directory, linked to a Rollcall user and membership.
// Attributes holds the resource as the IdP sent it, so unknown-but-valid attributes round-trip.
type DirectoryUser struct {
	ID           string
	OrgID        string
	UserID       string
	MembershipID string
	// UserName is as sent; UserNameKey is its normalized form, unique per org.
	UserName    string
	UserNameKey string
	ExternalID  string
	DisplayName string
	GivenName   string
	FamilyName  string
	Active      bool
	Emails      []DirectoryEmail
	Attributes  json.RawMessage
	Version     int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// DirectoryEmail is one of a directory user's emails, kept in its own rows so filters such as
// emails[type eq "work"].value run in SQL.
type DirectoryEmail struct {
	Type    string
	Value   string
	Primary bool
}

// DirectoryGroup is a SCIM Group of an org's directory. Its members live in their own rows.
type DirectoryGroup struct {
	ID          string
	OrgID       string
	DisplayName string
	ExternalID  string
	Attributes  json.RawMessage
	Version     int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// DirectoryMember is a member of a directory group as a group lists it.
type DirectoryMember struct {
	UserID   string
	UserName string
}

// DirectoryUserGroups is a directory user with their membership and the groups they belong to.
type DirectoryUserGroups struct {
	UserID       string
	MembershipID string
	Active       bool
	Groups       []DirectoryGroup
}

// GroupRoleMapping maps a directory group (by display name, id or externalId, case-insensitive)
// to a role: members of the group get that role; the highest mapped role wins.
type GroupRoleMapping struct {
	ID        string    `json:"id"`
	OrgID     string    `json:"orgId"`
	Group     string    `json:"group"`
	Role      Role      `json:"role"`
	CreatedAt time.Time `json:"createdAt"`
}

// DirectoryFilter is a SCIM filter reduced to what the store can run in SQL. Op is "and", "or",
// "not" (on Left), "cmp" (Attr Cmp Value) or "each" (some element of the multi-valued attribute
// Each matches Left, whose attributes are the element's sub-attributes).
type DirectoryFilter struct {
	Op    string
	Left  *DirectoryFilter
	Right *DirectoryFilter
	Attr  string
	Cmp   string
	Value any
	Each  string
}

// DirectoryQuery is a page of a directory list: 0-based Offset, at most Limit rows (0: count only).
type DirectoryQuery struct {
	OrgID  string
	Filter *DirectoryFilter
	Offset int
	Limit  int
}

// DirectoryTx reads and writes an org's SCIM directory: tokens, users, groups, group members,
// group-role mappings, the per-directory request counter and the ring of recent requests.
type DirectoryTx interface {
	CreateDirectoryToken(ctx context.Context, t DirectoryToken) error
	GetDirectoryTokenByHash(ctx context.Context, hash []byte) (DirectoryToken, error)
	ListDirectoryTokens(ctx context.Context, orgID string) ([]DirectoryToken, error)
	RevokeDirectoryToken(ctx context.Context, orgID, id string, at time.Time) error
	// TouchDirectoryTokenBefore records the token's last use at `at` only if it was last
	// recorded before `stale` (or never), so that instances racing to touch write once.
	TouchDirectoryTokenBefore(ctx context.Context, id string, at, stale time.Time) error
	// TakeDirectoryRate takes up to want requests (1 <= want <= limit) from the org's count in
	// the fixed window starting at window, never letting the count pass limit, and returns how
	// many it took (0: the window is spent) and the count after; a new window restarts the count.
	TakeDirectoryRate(ctx context.Context, orgID string, window time.Time, want, limit int) (took, count int, err error)
	// RecordDirectoryRequests numbers requests (of any orgs, oldest first) after the requests
	// each org recorded before, and keeps each org's last DirectoryRequestsKept in its ring.
	RecordDirectoryRequests(ctx context.Context, requests []DirectoryRequest) error
	// ListDirectoryRequests lists the org's kept requests, newest first.
	ListDirectoryRequests(ctx context.Context, orgID string) ([]DirectoryRequest, error)

	// InsertDirectoryUser inserts a user; a taken UserNameKey in the org is a conflict.
	InsertDirectoryUser(ctx context.Context, u DirectoryUser) error
	// UpdateDirectoryUser writes a new version of a user's row; its email rows stay as they are.
	UpdateDirectoryUser(ctx context.Context, u DirectoryUser) error
	// ReplaceDirectoryEmails replaces a user's email rows with u.Emails.
	ReplaceDirectoryEmails(ctx context.Context, u DirectoryUser) error
	GetDirectoryUser(ctx context.Context, orgID, id string) (DirectoryUser, error)
	DeleteDirectoryUser(ctx context.Context, orgID, id string) error
	// ListDirectoryUsers returns a page of users matching q and the total number matching.
	ListDirectoryUsers(ctx context.Context, q DirectoryQuery) ([]DirectoryUser, int, error)

	InsertDirectoryGroup(ctx context.Context, g DirectoryGroup) error
	UpdateDirectoryGroup(ctx context.Context, g DirectoryGroup) error
	GetDirectoryGroup(ctx context.Context, orgID, id string) (DirectoryGroup, error)
	DeleteDirectoryGroup(ctx context.Context, orgID, id string) error
	ListDirectoryGroups(ctx context.Context, q DirectoryQuery) ([]DirectoryGroup, int, error)
	// AddDirectoryGroupMembers adds those of userIDs that are users of the org's directory and
	// not yet members; it returns the ones it added. Batched: any number of ids.
	AddDirectoryGroupMembers(ctx context.Context, orgID, groupID string, userIDs []string) ([]string, error)
	// RemoveDirectoryGroupMembers removes userIDs (all members when nil) and returns the removed.
	RemoveDirectoryGroupMembers(ctx context.Context, orgID, groupID string, userIDs []string) ([]string, error)
	ListDirectoryGroupMembers(ctx context.Context, orgID, groupID string) ([]DirectoryMember, error)
	// ListUserDirectoryGroups lists the groups a directory user belongs to.
	ListUserDirectoryGroups(ctx context.Context, orgID, userID string) ([]DirectoryGroup, error)
	// ListDirectoryUsersGroups reads, for those of userIDs that are users of the org's
	// directory, their membership and every group they belong to, in a few statements for any
	// number of ids: a large group change decides mapped roles from it set-wise.
	ListDirectoryUsersGroups(ctx context.Context, orgID string, userIDs []string) ([]DirectoryUserGroups, error)
	// ListDirectoryGroupMemberIDs lists up to limit member ids of a group after the id after
	// (in id order), for changes that walk a large group in batches.
	ListDirectoryGroupMemberIDs(ctx context.Context, orgID, groupID, after string, limit int) ([]string, error)

	// PutGroupRoleMapping stores a mapping; a second one for the same group is a conflict.
	PutGroupRoleMapping(ctx context.Context, m GroupRoleMapping) error
	ListGroupRoleMappings(ctx context.Context, orgID string) ([]GroupRoleMapping, error)
	DeleteGroupRoleMapping(ctx context.Context, orgID, id string) error
}
