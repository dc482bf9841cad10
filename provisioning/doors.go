package provisioning

import "context"

// Txn is an open transaction as an entrance holds it. Only a Door opens one, and only the core
// reaches the people tables through it: the core's operations that must be atomic with an
// entrance's own rows (ProvisionTx, ProveEmailTx, Record, InvitationSeatTx, …) take a Txn and
// run in it. The method is unexported, so no other package can make or unwrap one.
type Txn interface {
	storeTx() StoreTx
}

// PeopleReader reads what an entrance's rows point to: orgs, users and memberships. Entrances
// read people freely; they change them, and take their locks, only through the core.
type PeopleReader interface {
	GetOrg(ctx context.Context, id string) (Org, error)
	GetOrgBySlug(ctx context.Context, slug string) (Org, error)
	GetUser(ctx context.Context, id string) (User, error)
	GetUserByEmail(ctx context.Context, email string) (User, error)
	GetMembership(ctx context.Context, orgID, userID string) (Membership, error)
	GetMembershipByID(ctx context.Context, orgID, id string) (Membership, error)
}

// DirectoryTxn is a transaction of the SCIM entrance: its directory tables, reads of people
// and the installation's counters.
type DirectoryTxn struct {
	DirectoryTx
	PeopleReader
	RateLimitTx
	st StoreTx
}

func (t DirectoryTxn) storeTx() StoreTx { return t.st }

// SSOTxn is a transaction of the SSO entrance: its connections, flows and codes, the
// installation's settings (where its keys live), counters and reads of people.
type SSOTxn struct {
	SSOTx
	SettingTx
	RateLimitTx
	PeopleReader
	st StoreTx
}

func (t SSOTxn) storeTx() StoreTx { return t.st }

// InviteTxn is a transaction of the invitation entrance: invitations, invite links, quotas and
// email sign-in links, counters and reads of people.
type InviteTxn struct {
	InviteTx
	RateLimitTx
	PeopleReader
	st StoreTx
}

func (t InviteTxn) storeTx() StoreTx { return t.st }

// DomainTxn is a transaction of the domain entrance: its domains and reads of people.
type DomainTxn struct {
	DomainTx
	PeopleReader
	st StoreTx
}

func (t DomainTxn) storeTx() StoreTx { return t.st }

// OutboxTxn is a transaction of an outbox delivery worker: claiming and settling messages.
type OutboxTxn struct {
	OutboxTx
	st StoreTx
}

func (t OutboxTxn) storeTx() StoreTx { return t.st }

// Door opens transactions for one entrance, each handing the entrance T: its own tables and
// nothing of the core's but reads.
type Door[T Txn] struct {
	store Store
	open  func(StoreTx) T
}

// Update runs fn in a read-write transaction; see Store.Update.
func (d Door[T]) Update(ctx context.Context, fn func(T) error) error {
	return d.store.Update(ctx, func(st StoreTx) error { return fn(d.open(st)) })
}

// View runs fn in a read-only transaction; see Store.View.
func (d Door[T]) View(ctx context.Context, fn func(T) error) error {
	return d.store.View(ctx, func(st StoreTx) error { return fn(d.open(st)) })
}

// DirectoryDoor is the SCIM entrance's door.
func (s *Service) DirectoryDoor() Door[DirectoryTxn] {
	return Door[DirectoryTxn]{store: s.store, open: func(st StoreTx) DirectoryTxn {
		return DirectoryTxn{DirectoryTx: st, PeopleReader: st, RateLimitTx: st, st: st}
	}}
}

// SSODoor is the SSO entrance's door.
func (s *Service) SSODoor() Door[SSOTxn] {
	return Door[SSOTxn]{store: s.store, open: func(st StoreTx) SSOTxn {
		return SSOTxn{SSOTx: st, SettingTx: st, RateLimitTx: st, PeopleReader: st, st: st}
	}}
}

// InviteDoor is the invitation entrance's door.
func (s *Service) InviteDoor() Door[InviteTxn] {
	return Door[InviteTxn]{store: s.store, open: func(st StoreTx) InviteTxn {
		return InviteTxn{InviteTx: st, RateLimitTx: st, PeopleReader: st, st: st}
	}}
}

// DomainDoor is the domain entrance's door.
func (s *Service) DomainDoor() Door[DomainTxn] {
	return Door[DomainTxn]{store: s.store, open: func(st StoreTx) DomainTxn {
		return DomainTxn{DomainTx: st, PeopleReader: st, st: st}
	}}
}

// OutboxDoor is the door of the outbox delivery workers.
func (s *Service) OutboxDoor() Door[OutboxTxn] {
	return Door[OutboxTxn]{store: s.store, open: func(st StoreTx) OutboxTxn {
		return OutboxTxn{OutboxTx: st, st: st}
	}}
}

// HoldOrgTx takes the org's write lock for the rest of the transaction, for an entrance whose
// own rows feed the core's seat and identity decisions (invitations and their reserved seats,
// invite links, verified domains): changes to those rows then happen one at a time per org, and
// the core's decisions in other transactions see them settled. It returns the org as locked.
func (s *Service) HoldOrgTx(ctx context.Context, in Txn, orgID string) (Org, error) {
	return in.storeTx().LockOrg(ctx, orgID)
}

// EnqueueTx queues an outgoing message (an email, a webhook) in the caller's transaction, so
// it is sent if and only if the transaction commits. A webhook is dropped when no endpoint is
// configured (Options.NoWebhooks).
func (s *Service) EnqueueTx(ctx context.Context, in Txn, m OutboxMessage) error {
	if m.Kind == OutboxWebhook && s.noWebhooks {
		return nil
	}
	if m.ID == "" {
		m.ID = NewID()
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = s.Now()
	}
	return in.storeTx().EnqueueOutbox(ctx, m)
}

// storeTxn is a whole store transaction seen as a Txn.
type storeTxn struct{ st StoreTx }

func (t storeTxn) storeTx() StoreTx { return t.st }

// Wrap lets code that holds a whole store transaction (the store conformance suite, tests of
// the core's contracts) call the core's Txn operations in it. Entrances never hold a StoreTx:
// the architecture test checks that they name neither it nor Wrap.
func Wrap(st StoreTx) Txn { return storeTxn{st} }
