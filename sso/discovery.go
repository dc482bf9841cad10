package sso

import (
	"context"
	"errors"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/rollcall/rollcall/provisioning"
)

// discoveryDoc is what Rollcall needs from a discovery document besides its issuer.
type discoveryDoc struct {
	AuthorizationEndpoint string `json:"authorization_endpoint"`
	TokenEndpoint         string `json:"token_endpoint"`
	JWKSURI               string `json:"jwks_uri"`
}

// wellKnown is the discovery document's URL for issuer.
func wellKnown(issuer string) string {
	return strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
}

// checkDiscovery reads the issuer's discovery document when an OIDC connection is saved, so that
// a wrong issuer is an invalid setting the admin sees now, not a failure for the first person
// signing in: the document must name exactly this issuer (trailing slash included) and give the
// authorization, token and key endpoints. Nothing of the document is quoted back.
func (s *Service) checkDiscovery(ctx context.Context, issuer string) error {
	at := wellKnown(issuer)
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, s.client), issuer)
	var mismatch *oidc.IssuerMismatchError
	if errors.As(err, &mismatch) {
		s.logger.InfoContext(ctx, "sso: discovery names another issuer", "url", at, "err", firstLine(err.Error()))
		hint := ""
		if strings.TrimSuffix(mismatch.Discovered, "/") == strings.TrimSuffix(issuer, "/") {
			hint = " (here they differ only in a trailing slash)"
		}
		return provisioning.Invalidf("issuer", "the discovery document at %s names a different issuer than %s: the issuer must be exactly the one the document names, trailing slash included%s", at, issuer, hint)
	}
	if err != nil {
		return provisioning.Invalidf("issuer", "%s", s.unreachable(ctx, "the OpenID Provider's discovery document", at, err))
	}
	var doc discoveryDoc
	if err := p.Claims(&doc); err != nil {
		return provisioning.Internal(err)
	}
	var missing []string
	for _, e := range []struct{ name, value string }{{"authorization_endpoint", doc.AuthorizationEndpoint},
		{"token_endpoint", doc.TokenEndpoint}, {"jwks_uri", doc.JWKSURI}} {
		if e.value == "" {
			missing = append(missing, e.name)
		}
	}
	if len(missing) > 0 {
		return provisioning.Invalidf("issuer", "the discovery document at %s has no %s: Rollcall needs authorization_endpoint, token_endpoint and jwks_uri", at, strings.Join(missing, ", "))
	}
	if _, err := s.checkURL("issuer", doc.AuthorizationEndpoint); err != nil {
		return provisioning.Invalidf("issuer", "the discovery document at %s gives an authorization_endpoint that is not an absolute https URL", at)
	}
	for _, e := range []struct{ name, value string }{{"token_endpoint", doc.TokenEndpoint}, {"jwks_uri", doc.JWKSURI}} {
		if _, err := s.checkFetchURL("issuer", e.value); err != nil {
			return provisioning.Invalidf("issuer", "the discovery document at %s gives a %s that is not an absolute https URL", at, e.name)
		}
	}
	return nil
}
