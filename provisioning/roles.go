package provisioning

import "strings"

// Role is a member's place in an org: owner > admin > member > viewer.
type Role string

// The four roles. Owners, admins and members hold a seat; viewers hold none.
const (
	RoleOwner  Role = "owner"
	RoleAdmin  Role = "admin"
	RoleMember Role = "member"
	RoleViewer Role = "viewer"
)

// Roles lists every role from highest to lowest.
var Roles = []Role{RoleOwner, RoleAdmin, RoleMember, RoleViewer}

// ParseRole accepts a role name in any case and rejects unknown names.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if r.Valid() {
		return r, nil
	}
	return "", Invalidf("role", "unknown role %q: use owner, admin, member or viewer", s)
}

// Valid reports whether r is one of the four roles.
func (r Role) Valid() bool {
	switch r {
	case RoleOwner, RoleAdmin, RoleMember, RoleViewer:
		return true
	}
	return false
}

// Rank orders roles: owner 4, admin 3, member 2, viewer 1, anything else 0.
func (r Role) Rank() int {
	switch r {
	case RoleOwner:
		return 4
	case RoleAdmin:
		return 3
	case RoleMember:
		return 2
	case RoleViewer:
		return 1
	}
	return 0
}

// NeedsSeat reports whether the role holds a paid seat.
func (r Role) NeedsSeat() bool { return r == RoleOwner || r == RoleAdmin || r == RoleMember }

// IsAdmin reports whether the role may administer the org (owner or admin).
func (r Role) IsAdmin() bool { return r == RoleOwner || r == RoleAdmin }

// Status is the state of a membership.
type Status string

// Membership states. Only active memberships hold a seat or may act.
const (
	StatusActive    Status = "active"
	StatusSuspended Status = "suspended"
	StatusRemoved   Status = "removed"
)

// Entrance says how a member came into an org.
type Entrance string

// Every way into an org. All of them go through Service.Provision.
const (
	EntranceSCIM       Entrance = "scim"
	EntranceSAML       Entrance = "saml"
	EntranceOIDC       Entrance = "oidc"
	EntranceDomain     Entrance = "domain"
	EntranceInvite     Entrance = "invite"
	EntranceInviteLink Entrance = "invite_link"
	EntranceManual     Entrance = "manual"
	EntranceBootstrap  Entrance = "bootstrap"
)

// Automatic reports whether joins through this entrance follow the automatic-join seat rules:
// they obey auto_assign_seats and come in as viewers when no seat is free.
func (e Entrance) Automatic() bool {
	switch e {
	case EntranceSCIM, EntranceSAML, EntranceOIDC, EntranceDomain, EntranceInviteLink:
		return true
	}
	return false
}

// MayResurface reports whether the entrance may bring back a removed member with their old data.
// Removed members come back only by an admin's hand, an invitation or the directory.
func (e Entrance) MayResurface() bool {
	switch e {
	case EntranceSCIM, EntranceInvite, EntranceManual:
		return true
	}
	return false
}

// MapsRoles reports whether the entrance carries an authoritative role from the IdP (group mapping)
// that may change an existing member's role.
func (e Entrance) MapsRoles() bool {
	return e == EntranceSCIM || e == EntranceSAML || e == EntranceOIDC
}

// Valid reports whether e is a known entrance.
func (e Entrance) Valid() bool {
	switch e {
	case EntranceSCIM, EntranceSAML, EntranceOIDC, EntranceDomain, EntranceInvite,
		EntranceInviteLink, EntranceManual, EntranceBootstrap:
		return true
	}
	return false
}
