package provisioning

import (
	"context"
	"time"
)

// DomainState is where an org's claim on an email domain stands.
type DomainState string

// Domain states. Only a verified domain routes sign-in and lets people auto-join; at most one
// org holds a given domain verified at a time.
const (
	// DomainUnverified: added, its TXT record not (yet) found, or another org verified it first.
	DomainUnverified DomainState = "unverified"
	// DomainVerified: the TXT record was found and no other org holds the domain.
	DomainVerified DomainState = "verified"
	// DomainLost: it was verified, then a re-check no longer found the record; auto-join is paused
	// until a check finds it again.
	DomainLost DomainState = "lost"
)

// Domain is an org's claim on an email domain, proven by a DNS TXT record.
type Domain struct {
	ID    string `json:"id"`
	OrgID string `json:"orgId"`
	// Name is the normalized ASCII (punycode) domain, lower case, without a trailing dot.
	Name  string      `json:"name"`
	State DomainState `json:"state"`
	// Token is the random value published in DNS; it proves control, it grants nothing.
	Token string `json:"-"`
	// AutoJoin lets people with a verified email at the domain join the org on sign-in.
	AutoJoin bool `json:"autoJoin"`
	// JoinRole is the role auto-joins get: member (default), viewer or admin; never owner.
	JoinRole Role `json:"role"`
	// Reason explains the last check: why the domain is not verified, or why a check failed.
	Reason     string     `json:"reason,omitempty"`
	CreatedAt  time.Time  `json:"createdAt"`
	UpdatedAt  time.Time  `json:"updatedAt"`
	VerifiedAt *time.Time `json:"verifiedAt,omitempty"`
	CheckedAt  *time.Time `json:"checkedAt,omitempty"`
}

// DomainTx reads and writes orgs' email domains.
type DomainTx interface {
	// InsertDomain adds a domain to an org; the same name twice in one org is a conflict.
	InsertDomain(ctx context.Context, d Domain) error
	GetDomain(ctx context.Context, orgID, name string) (Domain, error)
	GetDomainByID(ctx context.Context, id string) (Domain, error)
	// ListDomains lists an org's domains by name.
	ListDomains(ctx context.Context, orgID string) ([]Domain, error)
	// ListDomainsByState lists the domains of every org in one of states, least recently
	// checked first.
	ListDomainsByState(ctx context.Context, states ...DomainState) ([]Domain, error)
	// FindVerifiedDomain returns the one verified claim on name, in whichever org holds it.
	FindVerifiedDomain(ctx context.Context, name string) (Domain, error)
	// UpdateDomain writes state, settings and check results; making a domain verified while
	// another org holds it verified is a conflict.
	UpdateDomain(ctx context.Context, d Domain) error
	DeleteDomain(ctx context.Context, orgID, id string) error
	// CountDomains counts an org's domains.
	CountDomains(ctx context.Context, orgID string) (int, error)
}
