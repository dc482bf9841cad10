package domains

import (
	"context"
	"net/url"

	"github.com/rollcall/rollcall/provisioning"
)

// ConnectionChecker tells home-realm discovery whether an org has an SSO connection to send
// people to. The SSO capability implements it.
type ConnectionChecker interface {
	HasSSO(ctx context.Context, orgID string) (bool, error)
}

// FindOrgByEmail returns the org holding the email's domain verified; not_found when none does.
// Lost and unverified claims never match.
func (s *Service) FindOrgByEmail(ctx context.Context, email string) (string, error) {
	d, err := s.verifiedDomainOf(ctx, email)
	return d.OrgID, err
}

func (s *Service) verifiedDomainOf(ctx context.Context, email string) (provisioning.Domain, error) {
	e, err := provisioning.NormalizeEmail(email)
	if err != nil {
		return provisioning.Domain{}, err
	}
	name, err := Normalize(provisioning.EmailDomain(e))
	if err != nil {
		return provisioning.Domain{}, provisioning.Invalidf("email", "%q is not a valid email address", email)
	}
	var d provisioning.Domain
	err = s.svc.DomainDoor().View(ctx, func(tx provisioning.DomainTxn) error {
		d, err = tx.FindVerifiedDomain(ctx, name)
		return err
	})
	if provisioning.IsCode(err, provisioning.CodeNotFound) {
		return d, provisioning.Errorf(provisioning.CodeNotFound, "no org has verified the domain %s", name)
	}
	return d, err
}

// VerifiedFor reports whether org holds the email's domain verified: SSO uses it to trust an
// IdP's email claim for the connection's own domains.
func (s *Service) VerifiedFor(ctx context.Context, orgID, email string) (bool, error) {
	d, err := s.verifiedDomainOf(ctx, email)
	if provisioning.IsCode(err, provisioning.CodeNotFound) || provisioning.IsCode(err, provisioning.CodeInvalid) {
		return false, nil
	}
	return err == nil && d.OrgID == orgID, err
}

// Realm is what a sign-in page learns from an email: whether to send the person to SSO, and
// where. For anything but an SSO org it says only {"sso": false}: no org is named, so the
// endpoint does not reveal which orgs exist or which domains they hold.
type Realm struct {
	SSO      bool   `json:"sso"`
	Org      string `json:"org,omitempty"`
	StartURL string `json:"startUrl,omitempty"`
}

// Discover answers home-realm discovery for an email. A malformed email is invalid input.
func (s *Service) Discover(ctx context.Context, email string) (Realm, error) {
	d, err := s.verifiedDomainOf(ctx, email)
	if provisioning.IsCode(err, provisioning.CodeNotFound) || (err == nil && s.conns == nil) {
		return Realm{}, nil
	}
	if err != nil {
		return Realm{}, err
	}
	sso, err := s.conns.HasSSO(ctx, d.OrgID)
	if err != nil || !sso {
		return Realm{}, err
	}
	var org provisioning.Org
	err = s.svc.DomainDoor().View(ctx, func(tx provisioning.DomainTxn) error {
		org, err = tx.GetOrg(ctx, d.OrgID)
		return err
	})
	if err != nil {
		return Realm{}, err
	}
	return Realm{SSO: true, Org: org.Slug, StartURL: s.startPath + "?org=" + url.QueryEscape(org.Slug)}, nil
}
