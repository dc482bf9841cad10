// Package invites brings people into orgs by email invitation and by shareable invite links,
// signs people in with one-time email links, and delivers Rollcall's email through the outbox.
// Every accepted invitation and every link join goes through the provisioning pipeline
// (entrances invite and invite_link); nothing here writes memberships.
//
// Decisions:
//   - Invitation and invite-link secrets carry 256 random bits and are stored only as SHA-256
//     hashes. An invite link is therefore shown once, when it is (re)generated; "show" returns
//     its role, hint and creation time.
//   - An invitation is accepted only by a signed-in user whose verified email equals the invited
//     one. The link alone is not proof of the address (send_email may be off and the admin may
//     share it any way), so a person who is not signed in is sent an email sign-in link first.
//   - Expired is computed from expires_at, never stored; re-inviting an expired or pending address
//     refreshes its one pending invitation with a new link.
//   - Quotas count every invitation issued (created, refreshed or resent), with or without email,
//     so switching email off does not bypass them. Invite links and domain joins are not counted.
//   - Outbox emails carry their link until delivered; a delivered email's payload is reduced to
//     its recipient and subject, so no live secret stays in the table after delivery.
//   - Only owners invite admins, resend or revoke admin invitations and manage the admin link;
//     invitations for owners are refused (invite as admin, then promote).
package invites

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/seats"
)

// Secret prefixes of the links this package issues.
const (
	InvitationPrefix = "inv_"
	LinkPrefix       = "lnk_"
	SignInPrefix     = "esl_"
)

// MaxBulk is the most addresses one bulk invitation may carry.
const MaxBulk = 1000

// Options configure the invitations service.
type Options struct {
	// PublicURL is the base of links in emails, e.g. https://rollcall.example.com.
	PublicURL string
	// Quotas override DefaultQuotas per plan.
	Quotas map[seats.Plan]Quota
	// SignInTTL is how long an email sign-in link works (default 15 minutes).
	SignInTTL time.Duration
	// SignInWindow, SignInPerEmail and SignInPerIP bound sign-in requests: at most
	// SignInPerEmail per address and SignInPerIP per client (provisioning.ClientKey: an IPv6
	// /64 is one client) in each fixed window (defaults 15 minutes, 5 and 30).
	SignInWindow   time.Duration
	SignInPerEmail int
	SignInPerIP    int
	Logger         *slog.Logger
}

// Service runs invitations, invite links and email sign-in on top of the provisioning core.
type Service struct {
	svc    *provisioning.Service
	opts   Options
	quotas map[seats.Plan]Quota
	logger *slog.Logger
	// AfterSignIn runs after every successful email-link sign-in, with the user whose email the
	// link just proved (domain auto-join hooks in here). Errors are logged; the sign-in stands.
	AfterSignIn []func(ctx context.Context, u provisioning.User) error
}

// NewService builds the service over the core.
func NewService(svc *provisioning.Service, o Options) *Service {
	if o.PublicURL == "" {
		o.PublicURL = "http://localhost:8080"
	}
	o.PublicURL = strings.TrimRight(o.PublicURL, "/")
	if o.SignInTTL <= 0 {
		o.SignInTTL = 15 * time.Minute
	}
	if o.SignInWindow <= 0 {
		o.SignInWindow = 15 * time.Minute
	}
	if o.SignInPerEmail <= 0 {
		o.SignInPerEmail = 5
	}
	if o.SignInPerIP <= 0 {
		o.SignInPerIP = 30
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	q := map[seats.Plan]Quota{}
	for p, v := range DefaultQuotas {
		q[p] = v
	}
	for p, v := range o.Quotas {
		q[p] = v
	}
	return &Service{svc: svc, opts: o, quotas: q, logger: o.Logger}
}

// Core returns the provisioning core the service runs on.
func (s *Service) Core() *provisioning.Service { return s.svc }

// url joins a path to the public URL.
func (s *Service) url(path string) string { return s.opts.PublicURL + path }

// secureCookies reports whether the public URL is served over TLS.
func (s *Service) secureCookies() bool { return strings.HasPrefix(s.opts.PublicURL, "https://") }

// purgeGrace is how long sign-in links, sessions and rate-limit windows stay after they are
// over, so that a late click still hears "this link expired" rather than "unknown link".
const purgeGrace = 24 * time.Hour

// Purge deletes sign-in links, sessions and rate-limit windows that have been over for a day;
// the server runs it now and then.
func (s *Service) Purge(ctx context.Context) (int64, error) {
	var n int64
	err := s.svc.InviteDoor().Update(ctx, func(tx provisioning.InviteTxn) error {
		var err error
		n, err = tx.PurgeSignIns(ctx, s.svc.Now().Add(-purgeGrace))
		return err
	})
	return n, err
}
