package sso

import (
	"context"
	"net"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/rollcall/rollcall/provisioning"
)

// Limits on connection settings.
const (
	maxGroupRoles   = 100
	maxRedirectURIs = 20
	maxScopes       = 20
	maxName         = 100
	maxAttribute    = 256
	maxURL          = 2048
)

// ConnectionInput creates or changes a connection. On update, absent (null) fields keep their
// value. SAML takes its IdP from exactly one of idpMetadataUrl, idpMetadataXml, or the trio
// idpEntityId + idpSsoUrl + idpCertificate.
type ConnectionInput struct {
	// Protocol is saml or oidc; set on create only.
	Protocol string  `json:"protocol,omitempty"`
	Name     *string `json:"name,omitempty"`
	Enabled  *bool   `json:"enabled,omitempty"`

	IDPMetadataURL    *string `json:"idpMetadataUrl,omitempty"`
	IDPMetadataXML    *string `json:"idpMetadataXml,omitempty"`
	IDPEntityID       *string `json:"idpEntityId,omitempty"`
	IDPSSOURL         *string `json:"idpSsoUrl,omitempty"`
	IDPCertificate    *string `json:"idpCertificate,omitempty"`
	SPEntityID        *string `json:"spEntityId,omitempty"`
	AllowIDPInitiated *bool   `json:"allowIdpInitiated,omitempty"`
	// AllowSHA1Signatures accepts SHA-1 signed responses from a legacy IdP (owners, admins).
	AllowSHA1Signatures *bool `json:"allowSha1Signatures,omitempty"`

	Issuer       *string   `json:"issuer,omitempty"`
	ClientID     *string   `json:"clientId,omitempty"`
	ClientSecret *string   `json:"clientSecret,omitempty"`
	Scopes       *[]string `json:"scopes,omitempty"`

	JIT         *bool              `json:"jit,omitempty"`
	DefaultRole *provisioning.Role `json:"defaultRole,omitempty"`
	GroupRoles  *[]GroupRole       `json:"groupRoles,omitempty"`
	Mapping     *Mapping           `json:"mapping,omitempty"`
	// TrustEmails is refused when true: it was removed (an IdP speaks for its org's verified
	// domains only).
	TrustEmails  *bool     `json:"trustEmails,omitempty"`
	RedirectURIs *[]string `json:"redirectUris,omitempty"`
	// IdP names the identity provider product for the console's setup steps: okta, entra,
	// google, or empty for another.
	IdP *string `json:"idp,omitempty"`
}

// applyCommon validates and applies the protocol-independent fields.
func (s *Service) applyCommon(in ConnectionInput, c *connection) error {
	if in.Name != nil {
		name := strings.TrimSpace(*in.Name)
		if name == "" || utf8.RuneCountInString(name) > maxName {
			return provisioning.Invalidf("name", "name must be 1 to %d characters", maxName)
		}
		c.Name = name
	}
	if in.Enabled != nil {
		c.Enabled = *in.Enabled
	}
	if in.IdP != nil {
		idp := strings.ToLower(strings.TrimSpace(*in.IdP))
		if idp != "" && idp != IdPOkta && idp != IdPEntra && idp != IdPGoogle {
			return provisioning.Invalidf("idp", "idp must be okta, entra, google, or empty for another identity provider")
		}
		c.cfg.IdP = idp
	}
	if in.JIT != nil {
		c.cfg.JIT = *in.JIT
	}
	if in.TrustEmails != nil && *in.TrustEmails {
		return provisioning.Invalidf("trustEmails", "trustEmails was removed: an identity provider may sign in existing accounts only at email domains this organization has verified, so verify the domain instead")
	}
	if in.DefaultRole != nil {
		r := *in.DefaultRole
		if r != "" && !grantable(r) {
			return provisioning.Invalidf("defaultRole", "defaultRole must be admin, member or viewer (or empty for the org's default role)")
		}
		c.cfg.DefaultRole = r
	}
	if in.GroupRoles != nil {
		rules, err := cleanGroupRoles(*in.GroupRoles)
		if err != nil {
			return err
		}
		c.cfg.GroupRoles = rules
	}
	if in.Mapping != nil {
		m := *in.Mapping
		for _, v := range []string{m.Email, m.FirstName, m.LastName, m.Groups} {
			if len(v) > maxAttribute {
				return provisioning.Invalidf("mapping", "attribute names are at most %d characters", maxAttribute)
			}
		}
		c.cfg.Mapping = Mapping{Email: strings.TrimSpace(m.Email), FirstName: strings.TrimSpace(m.FirstName),
			LastName: strings.TrimSpace(m.LastName), Groups: strings.TrimSpace(m.Groups)}
	}
	if in.RedirectURIs != nil {
		uris, err := s.cleanRedirectURIs(*in.RedirectURIs)
		if err != nil {
			return err
		}
		c.cfg.RedirectURIs = uris
	}
	return nil
}

func grantable(r provisioning.Role) bool {
	return r == provisioning.RoleAdmin || r == provisioning.RoleMember || r == provisioning.RoleViewer
}

func cleanGroupRoles(in []GroupRole) ([]GroupRole, error) {
	if len(in) > maxGroupRoles {
		return nil, provisioning.Invalidf("groupRoles", "at most %d group rules", maxGroupRoles)
	}
	out := make([]GroupRole, 0, len(in))
	for _, r := range in {
		g := strings.TrimSpace(r.Group)
		if g == "" || len(g) > maxAttribute {
			return nil, provisioning.Invalidf("groupRoles", "every group rule needs a group of 1 to %d characters", maxAttribute)
		}
		if !grantable(r.Role) {
			return nil, provisioning.Invalidf("groupRoles", "group %q: role must be admin, member or viewer; SSO never grants owner", g)
		}
		out = append(out, GroupRole{Group: g, Role: r.Role})
	}
	return out, nil
}

func (s *Service) cleanRedirectURIs(in []string) ([]string, error) {
	if len(in) > maxRedirectURIs {
		return nil, provisioning.Invalidf("redirectUris", "at most %d redirect URIs", maxRedirectURIs)
	}
	out := make([]string, 0, len(in))
	for _, raw := range in {
		u, err := s.checkURL("redirectUris", raw)
		if err != nil {
			return nil, err
		}
		if u.Fragment != "" || strings.Contains(raw, "#") {
			return nil, provisioning.Invalidf("redirectUris", "redirect URI %q must not have a fragment", raw)
		}
		if !slices.Contains(out, raw) {
			out = append(out, raw)
		}
	}
	return out, nil
}

// checkURL requires an absolute https URL the browser is sent to; http only for loopback hosts
// or when private fetches are allowed.
func (s *Service) checkURL(field, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || len(raw) > maxURL || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil {
		return nil, provisioning.Invalidf(field, "%q is not an absolute https URL", raw)
	}
	if u.Scheme == "http" && !s.private && !isLoopback(u.Hostname()) {
		return nil, provisioning.Invalidf(field, "%q must use https", raw)
	}
	return u, nil
}

// checkFetchURL requires an absolute https URL Rollcall fetches from; http only when private
// fetches are allowed (the operator's development setting), even on loopback.
func (s *Service) checkFetchURL(field, raw string) (*url.URL, error) {
	u, err := s.checkURL(field, raw)
	if err == nil && u.Scheme == "http" && !s.private {
		return nil, provisioning.Invalidf(field, "%q must use https (plain http only with --sso-allow-private-fetch)", raw)
	}
	return u, err
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// applyOIDC validates and applies the OIDC fields (the client secret is sealed apart). A new
// issuer or client id is checked against the issuer's discovery document, last.
func (s *Service) applyOIDC(ctx context.Context, in ConnectionInput, c *connection) error {
	oc := c.cfg.OIDC
	issuer, clientID := oc.Issuer, oc.ClientID
	if in.Issuer != nil {
		iss := strings.TrimSpace(*in.Issuer)
		if _, err := s.checkFetchURL("issuer", iss); err != nil {
			return err
		}
		oc.Issuer = iss
	}
	if in.ClientID != nil {
		id := strings.TrimSpace(*in.ClientID)
		if id == "" || len(id) > maxAttribute {
			return provisioning.Invalidf("clientId", "clientId must be 1 to %d characters", maxAttribute)
		}
		oc.ClientID = id
	}
	if in.Scopes != nil {
		if len(*in.Scopes) > maxScopes {
			return provisioning.Invalidf("scopes", "at most %d scopes", maxScopes)
		}
		scopes := []string{"openid"}
		for _, sc := range *in.Scopes {
			sc = strings.TrimSpace(sc)
			if sc == "" || strings.ContainsAny(sc, " \"\\") || len(sc) > maxAttribute {
				return provisioning.Invalidf("scopes", "scope %q is not valid", sc)
			}
			if !slices.Contains(scopes, sc) {
				scopes = append(scopes, sc)
			}
		}
		oc.Scopes = scopes
	}
	if in.ClientSecret != nil && len(*in.ClientSecret) > 4096 {
		return provisioning.Invalidf("clientSecret", "clientSecret is longer than 4096 characters")
	}
	switch {
	case c.Enabled && oc.Issuer == "":
		return provisioning.Invalidf("issuer", "issuer is required for an OIDC connection that is turned on (one turned off may wait for it)")
	case c.Enabled && oc.ClientID == "":
		return provisioning.Invalidf("clientId", "clientId is required for an OIDC connection that is turned on (one turned off may wait for it)")
	}
	if len(oc.Scopes) == 0 {
		oc.Scopes = []string{"openid", "email", "profile"}
	}
	if oc.Issuer == "" || (oc.Issuer == issuer && oc.ClientID == clientID) {
		return nil
	}
	return s.checkDiscovery(ctx, oc.Issuer)
}

// rejectOther refuses fields of the other protocol, so a typo is not silently ignored.
func rejectOther(in ConnectionInput, protocol string) error {
	samlSet := in.IDPMetadataURL != nil || in.IDPMetadataXML != nil || in.IDPEntityID != nil ||
		in.IDPSSOURL != nil || in.IDPCertificate != nil || in.SPEntityID != nil || in.AllowIDPInitiated != nil ||
		in.AllowSHA1Signatures != nil
	oidcSet := in.Issuer != nil || in.ClientID != nil || in.ClientSecret != nil || in.Scopes != nil
	if protocol == ProtocolOIDC && samlSet {
		return provisioning.Invalidf("protocol", "SAML settings were given for an OIDC connection")
	}
	if protocol == ProtocolSAML && oidcSet {
		return provisioning.Invalidf("protocol", "OIDC settings were given for a SAML connection")
	}
	return nil
}

// ownerOnly names the first setting in c that only an owner may turn on, if any.
func ownerOnly(c Config) string {
	if c.DefaultRole == provisioning.RoleAdmin {
		return "defaultRole admin"
	}
	for _, r := range c.GroupRoles {
		if r.Role == provisioning.RoleAdmin {
			return "a group rule granting admin"
		}
	}
	return ""
}
