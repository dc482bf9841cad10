// Package domains lets an org claim its email domains: an admin adds a domain, publishes a DNS
// TXT record, and Rollcall verifies it through a configurable resolver and re-checks it
// periodically. A verified domain (held by at most one org at a time) routes sign-in to the
// org's SSO (home-realm discovery) and, when its admin turns auto-join on, lets people who sign in
// with a verified email at the domain join the org through the provisioning pipeline.
//
// Decisions:
//   - Auto-join is an explicit admin setting, off by default: verifying a domain proves control,
//     it does not by itself mean everyone at the domain should join. Its role defaults to member;
//     owner is refused; admin may only be set (and an admin-role domain only changed) by owners.
//   - Matching is on the exact email domain: eng.acme.com needs its own claim.
//   - Only a definitive DNS answer (NXDOMAIN, no record, other token) loses a verified domain;
//     timeouts and server failures keep it verified and say so in Reason.
//   - Discovery answers {"sso": false} for everything but an org with SSO, naming no org, so a
//     public endpoint does not reveal which orgs exist or which domains they hold.
//   - Another org's verified claim is reported without naming that org.
package domains

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

// Defaults of Options.
const (
	DefaultLookupTimeout    = 5 * time.Second
	DefaultReverifyInterval = 6 * time.Hour
	DefaultSSOStartPath     = "/sso/start"
	// MaxDomainsPerOrg bounds how many domains one org may add.
	MaxDomainsPerOrg = 100
)

// Options configure the domains service.
type Options struct {
	// ResolverAddr is the "host:port" of the DNS server that verification asks; empty uses the
	// system resolver.
	ResolverAddr string
	// Resolver overrides ResolverAddr with any TXT lookup.
	Resolver Resolver
	// LookupTimeout bounds one verification lookup (default 5s).
	LookupTimeout time.Duration
	// ReverifyInterval is how often Run re-checks verified and lost domains (default 6h).
	ReverifyInterval time.Duration
	// Connections tells home-realm discovery whether an org has SSO; nil answers "no SSO".
	Connections ConnectionChecker
	// SSOStartPath is where discovery sends a sign-in page for an SSO org (default /sso/start).
	SSOStartPath string
	Logger       *slog.Logger
}

// Service manages orgs' email domains on top of the provisioning core.
type Service struct {
	svc       *provisioning.Service
	resolver  Resolver
	timeout   time.Duration
	interval  time.Duration
	conns     ConnectionChecker
	startPath string
	logger    *slog.Logger
}

// New builds the service; a malformed resolver address is an error.
func New(svc *provisioning.Service, o Options) (*Service, error) {
	if o.LookupTimeout <= 0 {
		o.LookupTimeout = DefaultLookupTimeout
	}
	if o.ReverifyInterval <= 0 {
		o.ReverifyInterval = DefaultReverifyInterval
	}
	if o.SSOStartPath == "" {
		o.SSOStartPath = DefaultSSOStartPath
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Resolver == nil {
		r, err := NewResolver(o.ResolverAddr, o.LookupTimeout)
		if err != nil {
			return nil, err
		}
		o.Resolver = r
	}
	return &Service{svc: svc, resolver: o.Resolver, timeout: o.LookupTimeout, interval: o.ReverifyInterval,
		conns: o.Connections, startPath: o.SSOStartPath, logger: o.Logger}, nil
}

// Info is a domain as admins see it: its state, settings and the record to publish.
type Info struct {
	provisioning.Domain
	// DisplayName is the Unicode form of Name.
	DisplayName string `json:"displayName"`
	Record      Record `json:"record"`
	// Outcome is what the check just made found; only Verify sets it.
	Outcome Outcome `json:"outcome,omitempty"`
}

func info(d provisioning.Domain) Info {
	return Info{Domain: d, DisplayName: DisplayName(d.Name), Record: RecordFor(d)}
}

// ReverifyInterval is how often Run re-checks verified and lost domains.
func (s *Service) ReverifyInterval() time.Duration { return s.interval }

// NextCheck is when the periodic re-verification will look at d again, at the latest: verified
// and lost domains are re-checked every ReverifyInterval while the server runs. An unverified
// domain is checked only when an admin asks (Verify), and ok is false.
func (s *Service) NextCheck(d provisioning.Domain) (next time.Time, ok bool) {
	if d.State == provisioning.DomainUnverified {
		return time.Time{}, false
	}
	from := d.UpdatedAt
	if d.CheckedAt != nil {
		from = *d.CheckedAt
	}
	return from.Add(s.interval), true
}

// newToken is the random part of a verification record: 160 bits in hex.
func newToken() string {
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x", b)
}

// snapshot is what the audit log keeps of a domain before and after a change.
type snapshot struct {
	Name     string                   `json:"name"`
	State    provisioning.DomainState `json:"state"`
	AutoJoin bool                     `json:"autoJoin"`
	Role     provisioning.Role        `json:"role"`
	Reason   string                   `json:"reason,omitempty"`
}

func snap(d provisioning.Domain) *snapshot {
	if d.ID == "" {
		return nil
	}
	return &snapshot{Name: d.Name, State: d.State, AutoJoin: d.AutoJoin, Role: d.JoinRole, Reason: d.Reason}
}

// record appends a domain change to the audit log.
func (s *Service) record(ctx context.Context, tx provisioning.DomainTxn, actor provisioning.Actor, action string, before, after provisioning.Domain, reason string) error {
	target := after
	if target.ID == "" {
		target = before
	}
	return s.svc.Record(ctx, tx, provisioning.Change{
		Actor: actor, OrgID: target.OrgID, Entrance: provisioning.EntranceDomain, Action: action,
		TargetType: "domain", TargetID: target.ID, Before: snap(before), After: snap(after), Reason: reason,
	})
}
