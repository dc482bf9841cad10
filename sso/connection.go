package sso

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/crewjam/saml/samlsp"

	"github.com/rollcall/rollcall/provisioning"
)

// Protocols of a connection.
const (
	ProtocolSAML = "saml"
	ProtocolOIDC = "oidc"
)

// Config is a connection's settings, stored as JSON in sso_connections.config.
type Config struct {
	SAML *SAMLConfig `json:"saml,omitempty"`
	OIDC *OIDCConfig `json:"oidc,omitempty"`
	// JIT provisions people on their first sign-in; off, only existing members may
	// sign in.
	JIT bool `json:"jit"`
	// DefaultRole is the role of people no group rule matches; empty means the org's default.
	DefaultRole provisioning.Role `json:"defaultRole,omitempty"`
	// GroupRoles map IdP groups to roles; the highest matching role wins. With rules, every
	// sign-in sets the role (a member who left the group falls back to DefaultRole); without
	// rules, the role is set only when the member joins.
	GroupRoles []GroupRole `json:"groupRoles,omitempty"`
	// Mapping names the attributes (SAML) or claims (OIDC) to read; empty names use the defaults.
	Mapping Mapping `json:"mapping"`
	// RedirectURIs are the SaaS app's registered redirect URIs, matched exactly.
	RedirectURIs []string `json:"redirectUris,omitempty"`
	// IdP names the identity provider product (IdPOkta, IdPEntra, IdPGoogle; empty for any
	// other), so the console shows that product's setup steps. It changes nothing else.
	IdP string `json:"idp,omitempty"`
}

// Identity provider products the console has setup steps for (Config.IdP).
const (
	IdPOkta   = "okta"
	IdPEntra  = "entra"
	IdPGoogle = "google"
)

// SAMLConfig is the IdP side of a SAML connection.
type SAMLConfig struct {
	// IDPMetadataURL is where the metadata was fetched from, if it was.
	IDPMetadataURL string `json:"idpMetadataUrl,omitempty"`
	// IDPMetadataXML is the IdP's metadata (fetched, given, or built from entity ID, SSO URL and
	// certificate); sign-ins use only this stored copy.
	IDPMetadataXML string `json:"idpMetadataXml"`
	IDPEntityID    string `json:"idpEntityId"`
	// SPEntityID overrides the SP entity ID (default: the connection's metadata URL).
	SPEntityID string `json:"spEntityId,omitempty"`
	// AllowIDPInitiated accepts responses no sign-in here asked for. Off by default.
	AllowIDPInitiated bool `json:"allowIdpInitiated"`
	// MetadataCheckedAt is when IDPMetadataURL was last fetched again; MetadataError says why
	// that fetch failed (empty when it worked).
	MetadataCheckedAt *time.Time `json:"metadataCheckedAt,omitempty"`
	MetadataError     string     `json:"metadataError,omitempty"`
	// ExpiryWarned lists the IdP certificates (SHA-256 fingerprints) whose coming expiry was
	// audited, so each is warned about once.
	ExpiryWarned []string `json:"expiryWarned,omitempty"`
	// AllowSHA1Signatures accepts responses signed with SHA-1 (rsa-sha1, sha1 digests), for a
	// legacy IdP that cannot sign with SHA-256. Off by default; the connection shows a warning
	// while it is on.
	AllowSHA1Signatures bool `json:"allowSha1Signatures,omitempty"`
}

// OIDCConfig is the provider side of an OIDC connection; the client secret is sealed apart.
type OIDCConfig struct {
	Issuer   string   `json:"issuer"`
	ClientID string   `json:"clientId"`
	Scopes   []string `json:"scopes"`
}

// GroupRole maps one IdP group (name or id, compared case-insensitively) to a role.
type GroupRole struct {
	Group string            `json:"group"`
	Role  provisioning.Role `json:"role"`
}

// Mapping names the attribute or claim holding each field.
type Mapping struct {
	Email     string `json:"email,omitempty"`
	FirstName string `json:"firstName,omitempty"`
	LastName  string `json:"lastName,omitempty"`
	Groups    string `json:"groups,omitempty"`
}

// connection is a stored connection with its decoded settings.
type connection struct {
	provisioning.SSOConnection
	cfg Config
}

func decodeConnection(c provisioning.SSOConnection) (connection, error) {
	var cfg Config
	if err := json.Unmarshal(c.Config, &cfg); err != nil {
		return connection{}, provisioning.Internal(fmt.Errorf("connection %s config: %w", c.ID, err))
	}
	if (c.Protocol == ProtocolSAML && cfg.SAML == nil) || (c.Protocol == ProtocolOIDC && cfg.OIDC == nil) {
		return connection{}, provisioning.Internal(fmt.Errorf("connection %s has no %s settings", c.ID, c.Protocol))
	}
	return connection{SSOConnection: c, cfg: cfg}, nil
}

// orNil is c, or nil when no connection was loaded (so a failure has no org to be audited in).
func (c *connection) orNil() *connection {
	if c.ID == "" {
		return nil
	}
	return c
}

// idpActor is the audit actor of everything a connection's IdP causes.
func (c connection) idpActor() provisioning.Actor {
	return provisioning.Actor{Kind: provisioning.ActorIdP, ID: c.ID, OrgID: c.OrgID, Label: c.Name}
}

func (c connection) entrance() provisioning.Entrance {
	if c.Protocol == ProtocolSAML {
		return provisioning.EntranceSAML
	}
	return provisioning.EntranceOIDC
}

// issuer is the Identity.Issuer of the connection's subjects: "saml:<id>" or "oidc:<id>".
func (c connection) issuer() string { return provisioning.ConnectionIssuer(c.Protocol, c.ID) }

// Connection is a connection as admins see it: settings, the URLs to give the IdP, never the
// client secret.
type Connection struct {
	ID       string `json:"id"`
	OrgID    string `json:"orgId"`
	Protocol string `json:"protocol"`
	Name     string `json:"name"`
	Enabled  bool   `json:"enabled"`
	// Configured says the IdP side is complete (SAML: its metadata; OIDC: issuer and client
	// id): only then may the connection be turned on. A connection saved turned off without
	// it gives the values to enter at the IdP first.
	Configured   bool              `json:"configured"`
	IdP          string            `json:"idp,omitempty"`
	SAML         *SAMLView         `json:"saml,omitempty"`
	OIDC         *OIDCView         `json:"oidc,omitempty"`
	JIT          bool              `json:"jit"`
	DefaultRole  provisioning.Role `json:"defaultRole,omitempty"`
	GroupRoles   []GroupRole       `json:"groupRoles"`
	Mapping      Mapping           `json:"mapping"`
	RedirectURIs []string          `json:"redirectUris"`
	// SignInURL starts an SP-initiated sign-in through this connection.
	SignInURL string `json:"signInUrl"`
	// Warnings say what needs an administrator's attention: settings that weaken the
	// connection's security, IdP certificates that expired or expire within 30 days, a
	// metadata URL that cannot be refreshed.
	Warnings  []string  `json:"warnings"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// SAMLView is the SAML part of a Connection.
type SAMLView struct {
	IDPEntityID    string `json:"idpEntityId"`
	IDPMetadataURL string `json:"idpMetadataUrl,omitempty"`
	IDPSSOURL      string `json:"idpSsoUrl"`
	// IDPCertificates are the SHA-256 fingerprints of the IdP signing certificates trusted.
	IDPCertificates []string `json:"idpCertificateFingerprints"`
	// IDPCertificateStatus lists the same certificates with their subject and expiry.
	IDPCertificateStatus []CertificateStatus `json:"idpCertificates"`
	// MetadataCheckedAt and MetadataNextCheckAt tell when a metadata URL was and will be
	// fetched again; MetadataError why the last fetch failed.
	MetadataCheckedAt   *time.Time `json:"metadataCheckedAt,omitempty"`
	MetadataNextCheckAt *time.Time `json:"metadataNextCheckAt,omitempty"`
	MetadataError       string     `json:"metadataError,omitempty"`
	SPEntityID          string     `json:"spEntityId"`
	ACSURL              string     `json:"acsUrl"`
	MetadataURL         string     `json:"metadataUrl"`
	AllowIDPInitiated   bool       `json:"allowIdpInitiated"`
	// AllowSHA1Signatures says SHA-1 signatures are accepted (see SAMLConfig).
	AllowSHA1Signatures bool `json:"allowSha1Signatures"`
	// NameIDFormats are the NameID formats to configure at the IdP, best first. A persistent
	// NameID follows a person through renames; a transient one names nobody, so people are
	// then matched by email only.
	NameIDFormats []string `json:"recommendedNameIdFormats"`
}

// OIDCView is the OIDC part of a Connection.
type OIDCView struct {
	Issuer          string   `json:"issuer"`
	ClientID        string   `json:"clientId"`
	HasClientSecret bool     `json:"hasClientSecret"`
	Scopes          []string `json:"scopes"`
	// RedirectURL is the callback to register at the provider.
	RedirectURL string `json:"redirectUrl"`
}

func (s *Service) view(c connection) Connection {
	v := Connection{
		ID: c.ID, OrgID: c.OrgID, Protocol: c.Protocol, Name: c.Name, Enabled: c.Enabled,
		Configured: c.cfg.configured(), IdP: c.cfg.IdP, JIT: c.cfg.JIT, DefaultRole: c.cfg.DefaultRole, GroupRoles: nonNil(c.cfg.GroupRoles),
		Mapping: c.cfg.Mapping, RedirectURIs: nonNil(c.cfg.RedirectURIs),
		SignInURL: s.url(MountPath + "/start?connection=" + c.ID), CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
		Warnings: nonNil(append(warnings(c.cfg), s.certificateWarnings(c)...)),
	}
	if sc := c.cfg.SAML; sc != nil {
		v.SAML = &SAMLView{IDPEntityID: sc.IDPEntityID, IDPMetadataURL: sc.IDPMetadataURL,
			IDPCertificates: []string{}, NameIDFormats: recommendedNameIDFormats, SPEntityID: s.spEntityID(c), ACSURL: s.acsURL(c.ID),
			MetadataURL: s.metadataURL(c.ID), AllowIDPInitiated: sc.AllowIDPInitiated, AllowSHA1Signatures: sc.AllowSHA1Signatures,
			IDPCertificateStatus: nonNil(idpCertificates(sc.IDPMetadataXML)), MetadataError: sc.MetadataError}
		if sc.IDPMetadataURL != "" {
			checked := c.CreatedAt
			if sc.MetadataCheckedAt != nil {
				checked = *sc.MetadataCheckedAt
			}
			next := checked.Add(s.metadataRefresh)
			v.SAML.MetadataCheckedAt, v.SAML.MetadataNextCheckAt = sc.MetadataCheckedAt, &next
		}
		if md, err := samlsp.ParseMetadata([]byte(sc.IDPMetadataXML)); err == nil {
			_, v.SAML.IDPSSOURL = ssoEndpoint(md)
			v.SAML.IDPCertificates = append(v.SAML.IDPCertificates, idpFingerprints(md)...)
		}
	}
	if oc := c.cfg.OIDC; oc != nil {
		v.OIDC = &OIDCView{Issuer: oc.Issuer, ClientID: oc.ClientID, HasClientSecret: c.Secret != nil,
			Scopes: oc.Scopes, RedirectURL: s.callbackURL(c.ID)}
	}
	return v
}

// configured reports whether the IdP side is complete (see Connection.Configured).
func (cfg Config) configured() bool {
	if cfg.SAML != nil {
		return cfg.SAML.IDPMetadataXML != ""
	}
	return cfg.OIDC != nil && cfg.OIDC.Issuer != "" && cfg.OIDC.ClientID != ""
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (s *Service) acsURL(id string) string { return s.url(MountPath + "/saml/" + id + "/acs") }
func (s *Service) metadataURL(id string) string {
	return s.url(MountPath + "/saml/" + id + "/metadata")
}
func (s *Service) callbackURL(id string) string {
	return s.url(MountPath + "/oidc/" + id + "/callback")
}

func (s *Service) spEntityID(c connection) string {
	if c.cfg.SAML != nil && c.cfg.SAML.SPEntityID != "" {
		return c.cfg.SAML.SPEntityID
	}
	return s.metadataURL(c.ID)
}
