// Package provisioning is Rollcall's core: the domain types (orgs, users, memberships, roles,
// seats, invitations, domains, directory and SSO records), the one pipeline every entrance
// feeds, and the only code that decides about people: identity resolution (which account an
// arrival is), email proof, roles, seats under the org's limit, owners, suspension and removal.
//
// The core imports no entrance, transport or store. It talks to storage through Store, whose
// transactions (StoreTx) compose the core's tables (Tx: orgs, users, identities, memberships,
// member tokens, sessions, audit log and outbox) with each entrance's own tables, the way
// ory/kratos composes its persisters. Only the core holds a Store.
//
// Entrances get a Door instead (DirectoryDoor for SCIM, SSODoor, InviteDoor, DomainDoor, and
// OutboxDoor for delivery workers). A door's transaction type embeds the entrance's own tables,
// reads of people (PeopleReader) and nothing else, so an entrance cannot write a membership or
// take a lock: it asks the core's operations, which take the transaction (a Txn) and run in it
// where they must be atomic with the entrance's rows — ProvisionTx (with an initial status),
// ProveEmailTx, InvitationSeatTx, HoldOrgTx, Record, EnqueueTx. The architecture test in the
// module root checks that no package outside the core and the stores names Store, StoreTx or
// Tx, and that each entrance opens only its own door.
//
// Every failure is an *Error with a Code; transports map codes to statuses in one table
// (package httperr). Every state change is one transaction; the invariants (seat limit, at
// least one owner, one pending invitation per email, one-time links) are proved on both stores
// by store/storetest, which races goroutines against them.
package provisioning
