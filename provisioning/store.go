package provisioning

import (
	"context"
	"time"
)

// Store is the persistence boundary of the core. The core decides; the store applies a whole
// decision atomically: Update runs fn in one transaction and commits only if fn returns nil.
// Implementations: store/sqlite and store/postgres, both proved by store/storetest. Only the
// core holds a Store: entrances reach their own tables through a Door (see doors.go).
type Store interface {
	// Update runs fn in a read-write transaction. Serialization failures are retried inside.
	Update(ctx context.Context, fn func(StoreTx) error) error
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(StoreTx) error) error
}

// StoreTx is everything one store transaction can do, composed the way ory/kratos composes its
// persisters: the core's tables (Tx), the installation's settings and counters, and each
// entrance's own tables. A store implements it whole; the core alone holds it.
type StoreTx interface {
	Tx
	SettingTx
	RateLimitTx
	DirectoryTx
	SSOTx
	InviteTx
	DomainTx
}

// Tx is what the core does with people inside one transaction: orgs, users and their
// identities, memberships and seats, member tokens and sessions, the audit log and the outbox.
// No entrance holds it; entrances ask the core's operations, which take a Txn.
type Tx interface {
	OrgTx
	UserTx
	MembershipTx
	AuditTx
	TokenTx
	SessionTx
	OutboxTx
}

// OrgTx reads and writes orgs.
type OrgTx interface {
	// CreateOrg inserts an org; a taken slug is a conflict.
	CreateOrg(ctx context.Context, o Org) error
	GetOrg(ctx context.Context, id string) (Org, error)
	GetOrgBySlug(ctx context.Context, slug string) (Org, error)
	// LockOrg reads an org and holds a write lock on it until the transaction ends, so that every
	// seat and owner decision of that org is taken one at a time, on any number of instances.
	LockOrg(ctx context.Context, id string) (Org, error)
	// LockOrgForJoin reads an org for one arrival: exclusively like LockOrg when the
	// org has a seat limit; otherwise shared with other arrivals (LockOrg still waits for it).
	// Arrivals of the same person are ordered by the membership (LockMembership, its key).
	LockOrgForJoin(ctx context.Context, id string) (Org, error)
	ListOrgs(ctx context.Context) ([]Org, error)
	UpdateOrg(ctx context.Context, o Org) error
	DeleteOrg(ctx context.Context, id string) error
}

// UserTx reads and writes users and their linked identities.
type UserTx interface {
	GetUser(ctx context.Context, id string) (User, error)
	// LockUser reads a user and write-locks the row until the transaction ends; a membership
	// insert for the user (its foreign key check) waits for it.
	LockUser(ctx context.Context, id string) (User, error)
	GetUserByEmail(ctx context.Context, email string) (User, error)
	// EnsureUser inserts u unless a user with its email exists; it returns the stored user and
	// whether it was created. Concurrent calls for one email yield one user.
	EnsureUser(ctx context.Context, u User) (User, bool, error)
	UpdateUser(ctx context.Context, u User) error
	// FindIdentity returns the user linked to (issuer, subject).
	FindIdentity(ctx context.Context, issuer, subject string) (User, error)
	// FindUserIdentity returns the identity a user has at issuer (one at most).
	FindUserIdentity(ctx context.Context, userID, issuer string) (LinkedIdentity, error)
	// LinkIdentity links (issuer, subject) to a user; linking it again to the same user is a
	// no-op. Linking it to another user, or a second subject of the issuer to the user, is a
	// conflict.
	LinkIdentity(ctx context.Context, id LinkedIdentity) error
	// UnlinkIdentities removes every external identity linked to a user and counts them.
	UnlinkIdentities(ctx context.Context, userID string) (int64, error)
}

// MembershipTx reads and writes memberships and seat counts.
type MembershipTx interface {
	GetMembership(ctx context.Context, orgID, userID string) (Membership, error)
	// LockMembership reads a user's membership in an org and write-locks it until the
	// transaction ends.
	LockMembership(ctx context.Context, orgID, userID string) (Membership, error)
	GetMembershipByID(ctx context.Context, orgID, id string) (Membership, error)
	// LockMembersByID reads the org's memberships of ids (others are left out) with their
	// users' emails and write-locks the memberships until the transaction ends; any number of
	// ids, in a few statements.
	LockMembersByID(ctx context.Context, orgID string, ids []string) ([]Member, error)
	InsertMembership(ctx context.Context, m Membership) error
	UpdateMembership(ctx context.Context, m Membership) error
	// UpdateMembershipRoles writes the roles of memberships of an org the transaction has
	// locked, each listed once, in a few statements, and moves the org's seat counter by the
	// seats they give and take.
	UpdateMembershipRoles(ctx context.Context, orgID string, changes []RoleChange) error
	GetMember(ctx context.Context, orgID, membershipID string) (Member, error)
	// ListUserOrgs lists a user's active and suspended memberships with their orgs, by org name.
	ListUserOrgs(ctx context.Context, userID string) ([]UserOrg, error)
	ListMembers(ctx context.Context, q MemberQuery) ([]Member, error)
	// EachMember streams the members matching q to fn, one row at a time.
	EachMember(ctx context.Context, q MemberQuery, fn func(Member) error) error
	// CountSeatsUsed counts active non-viewer memberships plus, when withInvites, pending
	// invitations for seat roles that have not expired at now.
	CountSeatsUsed(ctx context.Context, orgID string, withInvites bool, now time.Time) (int, error)
	CountOwners(ctx context.Context, orgID string) (int, error)
	// ListWaitingViewers returns active viewers, earliest joined first, at most limit (0: all).
	ListWaitingViewers(ctx context.Context, orgID string, limit int) ([]Membership, error)
	CountWaitingViewers(ctx context.Context, orgID string) (int, error)
	// TouchMembership records activity; it never moves last-active backwards.
	TouchMembership(ctx context.Context, id string, at time.Time) error
	// EndSessions ends the console sessions a user holds in an org.
	EndSessions(ctx context.Context, userID, orgID string, at time.Time) error
}

// AuditTx appends to and reads the audit log and the outbox.
type AuditTx interface {
	AppendAudit(ctx context.Context, e AuditEvent) error
	// AppendAudits appends events in the order given, in a few statements.
	AppendAudits(ctx context.Context, events []AuditEvent) error
	ListAudit(ctx context.Context, q AuditQuery) ([]AuditEvent, error)
	EnqueueOutbox(ctx context.Context, m OutboxMessage) error
	// EnqueueOutboxes writes messages in the order given, in a few statements.
	EnqueueOutboxes(ctx context.Context, msgs []OutboxMessage) error
}

// TokenTx reads and writes member API tokens.
type TokenTx interface {
	CreateToken(ctx context.Context, t APIToken) error
	GetTokenByHash(ctx context.Context, hash []byte) (APIToken, error)
	// GetTokenGrant reads a token by the hash of its secret with its member and org, in one
	// query (introspection's read), and locks the token's row until the transaction ends.
	GetTokenGrant(ctx context.Context, hash []byte) (TokenGrant, error)
	GetToken(ctx context.Context, orgID, id string) (APIToken, error)
	// ListTokens lists an org's tokens; with membershipID set, only that member's.
	ListTokens(ctx context.Context, orgID, membershipID string) ([]APIToken, error)
	RevokeToken(ctx context.Context, orgID, id string, at time.Time) error
	RevokeMembershipTokens(ctx context.Context, membershipID string, at time.Time) error
	TouchToken(ctx context.Context, id string, at time.Time) error
	// ConsumeToken decides one call of tok at now: decide gets the token's usage and returns
	// the usage after the call, which the store writes with last_used_at = now. It is atomic
	// across transactions and instances: decide first gets tok.Usage as read, and is called
	// again with the fresh usage, under the row's lock, when another transaction changed it
	// since. decide must be a pure function of its argument. For a token read by
	// GetTokenGrant in the same transaction, whose row is locked, the write may be sent with
	// the commit.
	ConsumeToken(ctx context.Context, tok APIToken, now time.Time, decide func(TokenUsage) TokenUsage) error
}

// SettingTx keeps installation-wide values such as the operator key hash.
type SettingTx interface {
	GetSetting(ctx context.Context, key string) (string, error)
	// PutSettingIfAbsent stores a value unless the key exists; it reports whether it stored it.
	PutSettingIfAbsent(ctx context.Context, key, value string) (bool, error)
	PutSetting(ctx context.Context, key, value string) error
}
