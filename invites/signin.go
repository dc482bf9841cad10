package invites

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

// RequestSignIn emails a one-time sign-in link to email. Whether an account exists changes
// nothing in the answer or the work done: the account is made when the link is followed.
// Requests are limited per address and per client (its IPv4 address, or its IPv6 /64) with
// counters in the database, so every instance enforces the same limits; a refused request says
// when its window ends. next, when set, is a local path to land on afterwards; it
// travels in the emailed link, never in the database.
func (s *Service) RequestSignIn(ctx context.Context, email, next, clientIP string) error {
	email, err := provisioning.NormalizeEmail(email)
	if err != nil {
		return err
	}
	if next, err = cleanNext(next); err != nil {
		return err
	}
	var retryAfter time.Duration
	err = s.svc.InviteDoor().Update(ctx, func(tx provisioning.InviteTxn) error {
		now := s.svc.Now()
		ipHits, err := tx.HitRateLimit(ctx, "signin:ip:"+provisioning.ClientKey(clientIP), s.opts.SignInWindow, now)
		if err != nil {
			return err
		}
		emailHits, err := tx.HitRateLimit(ctx, "signin:email:"+email, s.opts.SignInWindow, now)
		if err != nil {
			return err
		}
		if ipHits > s.opts.SignInPerIP || emailHits > s.opts.SignInPerEmail {
			_, end := provisioning.FixedWindow(now, s.opts.SignInWindow)
			retryAfter = end.Sub(now)
			return nil
		}
		secret, hash := provisioning.NewSecret(SignInPrefix)
		l := provisioning.EmailLogin{ID: provisioning.NewID(), Email: email, CreatedAt: now, ExpiresAt: now.Add(s.opts.SignInTTL)}
		if err := tx.InsertEmailLogin(ctx, l, hash); err != nil {
			return err
		}
		link := s.url("/auth/email/verify?token=" + secret)
		if next != "" {
			link += "&next=" + url.QueryEscape(next)
		}
		m, err := render("signin", email, "Your Rollcall sign-in link", mailData{Link: link, Minutes: int(s.opts.SignInTTL.Minutes())})
		if err != nil {
			return err
		}
		return s.enqueue(ctx, tx, "", m)
	})
	if err == nil && retryAfter > 0 {
		return provisioning.RateLimited(retryAfter, "too many sign-in requests: wait %s, then ask again", waitText(retryAfter))
	}
	return err
}

// waitText says how long a wait is, for people: "a minute", "3 minutes", "40 seconds".
func waitText(d time.Duration) string {
	switch s := int((d + time.Second - 1) / time.Second); {
	case s <= 60:
		return fmt.Sprintf("%d seconds", s)
	case s <= 90:
		return "a minute"
	default:
		return fmt.Sprintf("%d minutes", (s+59)/60)
	}
}

// cleanNext accepts only a local absolute path, so a sign-in link cannot send anyone elsewhere.
func cleanNext(next string) (string, error) {
	next = strings.TrimSpace(next)
	if next == "" {
		return "", nil
	}
	bad := len(next) > 500 || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.ContainsAny(next, "\\\r\n\t")
	if bad {
		return "", provisioning.Invalidf("next", "next must be a path on this site, such as /join/…")
	}
	return next, nil
}

// SignedIn is a completed email sign-in: the user, the session secret for the cookie, and
// where to land (the link's next, else the pending invitation, else /).
type SignedIn struct {
	User    provisioning.User    `json:"user"`
	Session provisioning.Session `json:"session"`
	Secret  string               `json:"-"`
	Landing string               `json:"redirect"`
	// Invitations are the user's pending invitations; with one, Landing opens it.
	Invitations []View `json:"invitations"`
}

// CompleteSignIn consumes a sign-in link: it proves the address, finds or creates its user (one
// per normalized email), marks the email verified and opens a session. Then it runs the
// AfterSignIn hooks.
func (s *Service) CompleteSignIn(ctx context.Context, secret, next string) (SignedIn, error) {
	var out SignedIn
	err := s.svc.InviteDoor().Update(ctx, func(tx provisioning.InviteTxn) error {
		l, err := s.useLogin(ctx, tx, secret)
		if err != nil {
			return err
		}
		u, err := s.svc.ProveEmailTx(ctx, tx, l.Email)
		if err != nil {
			return err
		}
		out.Secret, out.Session, err = s.svc.StartSession(ctx, tx, u.ID, "")
		out.User = u
		return err
	})
	if err != nil {
		return out, err
	}
	for _, hook := range s.AfterSignIn {
		if err := hook(ctx, out.User); err != nil {
			s.logger.ErrorContext(ctx, "after sign-in hook failed", "user", out.User.ID, "err", err)
		}
	}
	if out.Invitations, err = s.Mine(ctx, out.User); err != nil {
		return out, err
	}
	if out.Landing, _ = cleanNext(next); out.Landing == "" {
		out.Landing = landing(out.Invitations)
	}
	return out, nil
}

func landing(pending []View) string {
	switch len(pending) {
	case 0:
		return "/"
	case 1:
		return "/invitations/" + pending[0].ID
	}
	return "/invitations"
}

var errBadSignIn = provisioning.Errorf(provisioning.CodeNotFound, "this sign-in link is not valid: request a new one")

// PreviewSignIn checks a sign-in link without using it and returns the address it signs in.
// Opening the link only previews it: mail scanners that fetch every link must not use it up.
func (s *Service) PreviewSignIn(ctx context.Context, secret string) (string, error) {
	var email string
	err := s.svc.InviteDoor().View(ctx, func(tx provisioning.InviteTxn) error {
		l, err := s.checkLogin(ctx, tx, secret)
		email = l.Email
		return err
	})
	return email, err
}

func (s *Service) useLogin(ctx context.Context, tx provisioning.InviteTxn, secret string) (provisioning.EmailLogin, error) {
	l, err := s.checkLogin(ctx, tx, secret)
	if err != nil {
		return l, err
	}
	used, err := tx.UseEmailLogin(ctx, l.ID, s.svc.Now())
	if err == nil && !used {
		err = errUsedSignIn
	}
	return l, err
}

var errUsedSignIn = provisioning.Errorf(provisioning.CodeGone, "this sign-in link was already used: request a new one")

// checkLogin finds a sign-in link that is still usable.
func (s *Service) checkLogin(ctx context.Context, tx provisioning.InviteTxn, secret string) (provisioning.EmailLogin, error) {
	if !strings.HasPrefix(secret, SignInPrefix) || len(secret) > 200 {
		return provisioning.EmailLogin{}, errBadSignIn
	}
	l, err := tx.GetEmailLoginByHash(ctx, provisioning.HashSecret(secret))
	if provisioning.IsCode(err, provisioning.CodeNotFound) {
		return l, errBadSignIn
	}
	if err != nil {
		return l, err
	}
	if l.UsedAt != nil {
		return l, errUsedSignIn
	}
	if !s.svc.Now().Before(l.ExpiresAt) {
		return l, provisioning.Errorf(provisioning.CodeGone, "this sign-in link expired: request a new one")
	}
	return l, nil
}

// CurrentUser returns the signed-in user behind a session secret.
func (s *Service) CurrentUser(ctx context.Context, sessionSecret string) (provisioning.User, error) {
	if sessionSecret == "" {
		return provisioning.User{}, provisioning.Errorf(provisioning.CodeUnauthorized, "sign in first: ask for an email sign-in link")
	}
	_, u, err := s.svc.SessionUser(ctx, sessionSecret)
	return u, err
}

// SignOut ends a session.
func (s *Service) SignOut(ctx context.Context, sessionSecret string) error {
	if sessionSecret == "" {
		return nil
	}
	return s.svc.EndSession(ctx, sessionSecret)
}
