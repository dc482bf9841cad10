package sso

import (
	"context"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/crewjam/saml"
	"github.com/crewjam/saml/samlsp"

	"github.com/rollcall/rollcall/provisioning"
)

// rsaSHA256 signs AuthnRequests.
const rsaSHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"

// spMetadataCacheDuration is the SP metadata's cacheDuration: how long an IdP that loads it by
// URL may keep a copy before fetching it again, so it sees a key rotation's new certificate
// well within the grace period. The metadata has no validUntil: SimpleSAMLphp and others turn
// it into an expiry and refuse an SP whose imported metadata has expired.
const spMetadataCacheDuration = 24 * time.Hour

// serviceProvider builds crewjam's SP for a connection: its own entity ID, ACS and metadata
// URLs, the installation's key, and the IdP metadata stored with the connection.
func (s *Service) serviceProvider(c connection, key *spKey) (*saml.ServiceProvider, error) {
	// A connection waiting for its IdP still serves its SP metadata, for the IdP to load.
	md := &saml.EntityDescriptor{}
	if c.cfg.SAML.IDPMetadataXML != "" {
		var err error
		if md, err = samlsp.ParseMetadata([]byte(c.cfg.SAML.IDPMetadataXML)); err != nil {
			return nil, provisioning.Internal(fmt.Errorf("connection %s: stored IdP metadata: %w", c.ID, err))
		}
	}
	acs, _ := url.Parse(s.acsURL(c.ID))
	meta, _ := url.Parse(s.metadataURL(c.ID))
	entityID := s.spEntityID(c)
	return &saml.ServiceProvider{
		EntityID: entityID, Key: key.key, Certificate: key.cert, MetadataURL: *meta, AcsURL: *acs,
		IDPMetadata: md, AuthnNameIDFormat: saml.UnspecifiedNameIDFormat, SignatureMethod: rsaSHA256,
		ValidateAudienceRestriction: strictAudience(entityID), Clock: s.samlClock,
		RejectSHA1Signatures:             !c.cfg.SAML.AllowSHA1Signatures,
		AssertionConsumerServiceBindings: []string{saml.HTTPPostBinding}, MetadataOmitValidUntil: true,
	}, nil
}

// strictAudience requires at least one AudienceRestriction and our entity ID in every one of
// them (restrictions are ANDed in SAML; crewjam's default accepts a missing restriction).
func strictAudience(entityID string) func(*saml.Assertion) error {
	return func(a *saml.Assertion) error {
		if a.Conditions == nil || len(a.Conditions.AudienceRestrictions) == 0 {
			return fmt.Errorf("assertion has no AudienceRestriction")
		}
		for _, r := range a.Conditions.AudienceRestrictions {
			if r.Audience.Value != entityID {
				return fmt.Errorf("audience %q is not %q", r.Audience.Value, entityID)
			}
		}
		return nil
	}
}

// metadata returns the SP metadata for a connection: HTTP-POST ACS only (no artifact binding),
// signed AuthnRequests, and the signing and encryption certificate of every published SP key
// (two during a key rotation, the one signing requests first).
func (s *Service) metadata(ctx context.Context, c connection) ([]byte, error) {
	keys, err := s.currentSPKeys(ctx)
	if err != nil {
		return nil, err
	}
	sp, err := s.serviceProvider(c, keys.signing)
	if err != nil {
		return nil, err
	}
	md := sp.Metadata()
	md.ValidUntil, md.CacheDuration = time.Time{}, spMetadataCacheDuration
	for i := range md.SPSSODescriptors {
		d := &md.SPSSODescriptors[i]
		d.KeyDescriptors = publishedKeyDescriptors(d.KeyDescriptors, keys.published)
		d.NameIDFormats = nil
		for _, f := range recommendedNameIDFormats {
			d.NameIDFormats = append(d.NameIDFormats, saml.NameIDFormat(f))
		}
	}
	out, err := xml.MarshalIndent(md, "", "  ")
	if err != nil {
		return nil, provisioning.Internal(err)
	}
	return append([]byte(xml.Header), out...), nil
}

// startSAML sends the browser to the IdP with a signed AuthnRequest whose id is kept in the
// flow, so the response must answer exactly this request (InResponseTo).
func (s *Service) startSAML(ctx context.Context, w http.ResponseWriter, r *http.Request, st start) error {
	keys, err := s.currentSPKeys(ctx)
	if err != nil {
		return err
	}
	sp, err := s.serviceProvider(st.conn, keys.signing)
	if err != nil {
		return err
	}
	binding, location := ssoEndpoint(sp.IDPMetadata)
	if location == "" {
		return provisioning.Errorf(provisioning.CodeUnavailable, "The connection's IdP metadata has no sign-in endpoint; an administrator must fix the connection.")
	}
	req, err := sp.MakeAuthenticationRequest(location, binding, saml.HTTPPostBinding)
	if err != nil {
		return provisioning.Internal(err)
	}
	secret, err := s.newFlow(ctx, w, r, st, provisioning.SSOFlow{RequestID: req.ID})
	if err != nil {
		return err
	}
	noStore(w)
	if binding == saml.HTTPRedirectBinding {
		u, err := req.Redirect(secret, sp)
		if err != nil {
			return provisioning.Internal(err)
		}
		http.Redirect(w, r, u.String(), http.StatusFound)
		return nil
	}
	return s.postAuthnRequest(w, req, secret)
}

// publishedKeyDescriptors repeats crewjam's key descriptors (signing; encryption with its
// algorithms) for every published key, in the keys' order.
func publishedKeyDescriptors(template []saml.KeyDescriptor, keys []*spKey) []saml.KeyDescriptor {
	var out []saml.KeyDescriptor
	for _, kd := range template {
		for _, k := range keys {
			kd.KeyInfo.X509Data.X509Certificates = []saml.X509Certificate{{Data: base64.StdEncoding.EncodeToString(k.cert.Raw)}}
			out = append(out, kd)
		}
	}
	return out
}
