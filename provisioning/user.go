package provisioning

import (
	"context"
	"net/mail"
	"strings"
	"time"
	"unicode"
)

// User is one person, global across orgs, identified by a normalized email.
type User struct {
	ID            string    `json:"id"`
	Email         string    `json:"email"`
	FirstName     string    `json:"firstName"`
	LastName      string    `json:"lastName"`
	EmailVerified bool      `json:"emailVerified"`
	CreatedAt     time.Time `json:"createdAt"`
	UpdatedAt     time.Time `json:"updatedAt"`
}

// DisplayName is "First Last", or the email when no name is known.
func (u User) DisplayName() string {
	if n := strings.TrimSpace(u.FirstName + " " + u.LastName); n != "" {
		return n
	}
	return u.Email
}

// LinkedIdentity ties a user to a subject at an external issuer (an SSO connection or a SCIM
// directory), so that later sign-ins match by subject before email.
type LinkedIdentity struct {
	UserID  string
	Issuer  string
	Subject string
	// LinkedAt is when the link was made, from the service's clock.
	LinkedAt time.Time
}

// NormalizeEmail trims and lower-cases an address and checks that it is a plain addr-spec.
func NormalizeEmail(s string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(s))
	if e == "" {
		return "", Invalidf("email", "email is required")
	}
	for _, r := range e {
		if invisible(r) || unicode.IsControl(r) || unicode.IsSpace(r) {
			return "", Invalidf("email", "%q contains an invisible or control character (%U): type the address again", s, r)
		}
	}
	if len(e) > 254 {
		return "", Invalidf("email", "email is longer than 254 characters")
	}
	addr, err := mail.ParseAddress(e)
	if err != nil || addr.Address != e || addr.Name != "" {
		return "", Invalidf("email", "%q is not a valid email address", s)
	}
	at := strings.LastIndexByte(e, '@')
	if at < 1 || !strings.Contains(e[at+1:], ".") {
		return "", Invalidf("email", "%q is not a valid email address", s)
	}
	return e, nil
}

// EmailDomain returns the part after the @ of a normalized email.
func EmailDomain(email string) string {
	return email[strings.LastIndexByte(email, '@')+1:]
}

// SortName is the key members sort by under "name": lower-cased first name, last name and email.
func SortName(first, last, email string) string {
	return lowerTrim(first + " " + last + " " + email)
}

// disownUnproven runs when someone first proves the email of an account that existed without
// that proof. Whoever reached the account before did so through an identity provider that could
// not speak for the address (anyone can run one that asserts any email), so every linked identity
// but keep (the one proving it now, if any) is unlinked and every session ended: only the
// person who proved the address keeps the account.
func (s *Service) disownUnproven(ctx context.Context, tx Tx, userID string, keep LinkedIdentity) error {
	n, err := tx.UnlinkIdentities(ctx, userID)
	if err != nil {
		return err
	}
	if keep.Issuer != "" {
		keep.LinkedAt = s.Now()
		if err := tx.LinkIdentity(ctx, keep); err != nil {
			return err
		}
	}
	if err := tx.EndUserSessions(ctx, userID, s.Now()); err != nil {
		return err
	}
	if n > 0 {
		s.logger.InfoContext(ctx, "email proven: earlier identity links removed", "user", userID, "unlinked", n)
	}
	return nil
}
