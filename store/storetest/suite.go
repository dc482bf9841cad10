package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/store/sqlstore"
)

// Opener returns a fresh, empty, migrated store for one test.
type Opener func(t testing.TB) provisioning.Store

// Run runs every conformance case against fresh stores from open.
func Run(t *testing.T, open Opener) {
	cases := []struct {
		name string
		fn   func(t *testing.T, h *Harness)
	}{
		{"OrgCRUD", testOrgCRUD},
		{"UserEnsureAndIdentity", testUserEnsureAndIdentity},
		{"MembershipCRUD", testMembershipCRUD},
		{"MemberListFilters", testMemberListFilters},
		{"DirectoryUserCount", testDirectoryUserCount},
		{"MemberListCursor", testMemberListCursor},
		{"MemberListFollowsRenames", testMemberListFollowsRenames},
		{"SeatCounting", testSeatCounting},
		{"InvitationCRUD", testInvitationCRUD},
		{"InviteLinksAndQuotas", testInviteLinksAndQuotas},
		{"EmailLoginsAndRateLimits", testEmailLoginsAndRateLimits},
		{"OutboxClaims", testOutboxClaims},
		{"OutboxOrderedClaims", testOutboxOrderedClaims},
		{"TokensAndSettings", testTokensAndSettings},
		{"AuditAppendOnlyAndFilters", testAuditFilters},
		{"TransactionRollsBack", testTransactionRollsBack},
		{"BadValuesAreInvalid", testBadValuesAreInvalid},
		{"PipelineEveryEntrance", testPipelineEveryEntrance},
		{"PipelineIdempotent", testPipelineIdempotent},
		{"PipelineResurfacesRemoved", testPipelineResurfaces},
		{"PipelineSuspended", testPipelineSuspended},
		{"PipelineSeatRules", testPipelineSeatRules},
		{"PipelineRoleMapping", testPipelineRoleMapping},
		{"PipelineIdentityMatching", testPipelineIdentityMatching},
		{"PipelineProofDisownsEarlierLinks", testPipelineProofDisownsEarlierLinks},
		{"OwnerRules", testOwnerRules},
		{"RemovalRevokesAndKeepsData", testRemoval},
		{"AssignSeatsToViewers", testAssignSeats},
		{"SeatLimitBelowUse", testSeatLimitBelowUse},
		{"AuthenticateFresh", testAuthenticateFresh},
		{"GatewayIntrospection", testIntrospection},
		{"TokenUsageLimit", testTokenUsageLimit},
		{"RaceTokenRateLimit", testRaceRateLimit},
		{"RaceTokenSlidingWindow", testRaceSlidingWindow},
		{"RaceJoinsRespectSeatLimit", testRaceJoins},
		{"RaceOwnersDemoteEachOther", testRaceOwners},
		{"RaceRemovalVersusRoleChange", testRaceRemovalRoleChange},
		{"RaceSameUserManyOrgs", testRaceSameUser},
		{"RaceUnlimitedJoinsMeetALimit", testRaceUnlimitedJoinsMeetALimit},
		{"RaceSamePersonArrivesTwice", testRaceSamePersonArrivesTwice},
		{"RaceJoinThenWriteLock", testRaceJoinThenWriteLock},
		{"Directory", testDirectory},
		{"DirectoryEmailRows", testDirectoryEmailRows},
		{"DirectoryGroupBatches", testDirectoryGroupBatches},
		{"RoleBatches", testRoleBatches},
		{"DirectoryRequests", testDirectoryRequests},
		{"Domains", testDomains},
		{"SSO", testSSO},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.fn(t, NewHarness(t, open(t)))
		})
	}
}

// Harness is a store, a service over it with a test clock, and shortcuts for tests.
type Harness struct {
	T       testing.TB
	Store   provisioning.Store
	Service *provisioning.Service
	Clock   *Clock
	Ctx     context.Context
}

// NewHarness builds a service over store with a test clock (see NewClock).
func NewHarness(t testing.TB, store provisioning.Store) *Harness {
	clock := NewClock(t)
	return &Harness{T: t, Store: store, Clock: clock, Ctx: context.Background(),
		Service: provisioning.NewService(store, provisioning.Options{Now: clock.Now})}
}

// CreateOrg creates an org with the given seat limit (-1 unlimited) and owner email.
func (h *Harness) CreateOrg(slug string, limit int, owner string) provisioning.OrgWithOwner {
	h.T.Helper()
	out, err := h.Service.CreateOrg(h.Ctx, provisioning.Operator(), provisioning.CreateOrgInput{
		Slug: slug, Name: slug + " Inc", Plan: "business", SeatLimit: &limit, OwnerEmail: owner})
	if err != nil {
		h.T.Fatalf("create org %s: %v", slug, err)
	}
	return out
}

// Join provisions email into org through entrance with an optional role.
// An IdP entrance (SAML, OIDC) arrives as the test connection's subject named after the email,
// so the same person arriving again is matched by subject.
func (h *Harness) Join(orgID, email string, e provisioning.Entrance, role provisioning.Role) (provisioning.ProvisionResult, error) {
	id := provisioning.Identity{Email: email, EmailVerified: true}
	if e == provisioning.EntranceSAML || e == provisioning.EntranceOIDC {
		id.Issuer, id.Subject = string(e)+":test", strings.ToLower(email)
	}
	return h.Service.Provision(h.Ctx, provisioning.ProvisionRequest{
		OrgID: orgID, Entrance: e, Role: role, Actor: provisioning.System(), Identity: id,
	})
}

// VerifyDomain records name as verified for org, as a successful DNS check would.
func (h *Harness) VerifyDomain(orgID, name string) {
	h.T.Helper()
	d := newDomain(h, orgID, name)
	at := h.Clock.Now()
	d.State, d.VerifiedAt, d.CheckedAt = provisioning.DomainVerified, &at, &at
	h.Tx(func(tx provisioning.StoreTx) error {
		if err := tx.InsertDomain(h.Ctx, d); err != nil {
			return err
		}
		return tx.UpdateDomain(h.Ctx, d)
	})
}

// MustJoin is Join that fails the test on error.
func (h *Harness) MustJoin(orgID, email string, e provisioning.Entrance, role provisioning.Role) provisioning.ProvisionResult {
	h.T.Helper()
	res, err := h.Join(orgID, email, e, role)
	if err != nil {
		h.T.Fatalf("join %s via %s: %v", email, e, err)
	}
	return res
}

// MemberActor is the actor of an active membership, as token authentication would build it.
func (h *Harness) MemberActor(m provisioning.Membership) provisioning.Actor {
	return provisioning.Actor{Kind: provisioning.ActorMember, ID: m.ID, UserID: m.UserID, OrgID: m.OrgID, Role: m.Role}
}

// Usage returns the seats used and the count of active viewers.
func (h *Harness) Usage(orgID string) provisioning.SeatReport {
	h.T.Helper()
	r, err := h.Service.SeatUsage(h.Ctx, provisioning.Operator(), orgID)
	if err != nil {
		h.T.Fatalf("seat usage: %v", err)
	}
	h.CheckSeatCounter(orgID)
	return r
}

// Tx runs fn in a write transaction and fails the test on error.
func (h *Harness) Tx(fn func(tx provisioning.StoreTx) error) {
	h.T.Helper()
	if err := h.Store.Update(h.Ctx, fn); err != nil {
		h.T.Fatalf("tx: %v", err)
	}
}

// WantCode fails unless err carries code.
func WantCode(t testing.TB, err error, code provisioning.Code) {
	t.Helper()
	if provisioning.ErrorCode(err) != code {
		t.Fatalf("got error %v (code %q), want code %q", err, provisioning.ErrorCode(err), code)
	}
}

// errStop aborts a transaction in tests.
var errStop = errors.New("stop")

// CheckSeatCounter fails the test when the org's maintained seat counter differs from the seats
// its memberships hold.
func (h *Harness) CheckSeatCounter(orgID string) {
	h.T.Helper()
	var counter, actual int
	err := h.Store.View(h.Ctx, func(tx provisioning.StoreTx) error {
		var err error
		counter, actual, err = tx.(*sqlstore.Tx).RecountSeats(h.Ctx, orgID)
		return err
	})
	if err != nil || counter != actual {
		h.T.Fatalf("seat counter %d, memberships hold %d seats (%v)", counter, actual, err)
	}
}
