package sso

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/crewjam/saml"
	"github.com/crewjam/saml/samlsp"

	"github.com/rollcall/rollcall/provisioning"
)

const maxMetadata = 1 << 20

// applySAML validates and applies the SAML fields. IdP metadata given by URL is fetched here,
// then refreshed (refresh.go); sign-ins use only the stored copy.
func (s *Service) applySAML(ctx context.Context, in ConnectionInput, c *connection) error {
	sc := c.cfg.SAML
	sources := 0
	for _, set := range []bool{in.IDPMetadataURL != nil, in.IDPMetadataXML != nil,
		in.IDPEntityID != nil || in.IDPSSOURL != nil || in.IDPCertificate != nil} {
		if set {
			sources++
		}
	}
	if sources > 1 {
		return provisioning.Invalidf("idpMetadataUrl", "give the IdP as idpMetadataUrl, or idpMetadataXml, or idpEntityId + idpSsoUrl + idpCertificate: only one of these")
	}
	var md *saml.EntityDescriptor
	var err error
	switch {
	case in.IDPMetadataURL != nil:
		md, err = s.fetchMetadata(ctx, strings.TrimSpace(*in.IDPMetadataURL))
		now := s.svc.Now()
		sc.IDPMetadataURL, sc.MetadataCheckedAt, sc.MetadataError = strings.TrimSpace(*in.IDPMetadataURL), &now, ""
	case in.IDPMetadataXML != nil:
		md, err = s.parseIDPMetadata("idpMetadataXml", []byte(*in.IDPMetadataXML), true)
		sc.IDPMetadataURL = ""
	case sources == 1:
		md, err = s.manualMetadata(in)
		sc.IDPMetadataURL = ""
	case sc.IDPMetadataXML == "" && c.Enabled:
		return provisioning.Invalidf("idpMetadataUrl", "a SAML connection needs its IdP before it is turned on: idpMetadataUrl, idpMetadataXml, or idpEntityId + idpSsoUrl + idpCertificate (one turned off may wait for it)")
	}
	if err != nil {
		return err
	}
	if md != nil {
		raw, err := xml.Marshal(md)
		if err != nil {
			return provisioning.Internal(err)
		}
		sc.IDPMetadataXML, sc.IDPEntityID = string(raw), md.EntityID
	}
	if in.SPEntityID != nil {
		id := strings.TrimSpace(*in.SPEntityID)
		if len(id) > maxURL {
			return provisioning.Invalidf("spEntityId", "spEntityId is longer than %d characters", maxURL)
		}
		sc.SPEntityID = id
	}
	if in.AllowIDPInitiated != nil {
		sc.AllowIDPInitiated = *in.AllowIDPInitiated
	}
	if in.AllowSHA1Signatures != nil {
		sc.AllowSHA1Signatures = *in.AllowSHA1Signatures
	}
	return nil
}

// fetchMetadata fetches the IdP metadata at raw through the fetch client. Every failure to get
// a document answers the same text; a document that is not usable IdP metadata is described
// without quoting it.
func (s *Service) fetchMetadata(ctx context.Context, raw string) (*saml.EntityDescriptor, error) {
	u, err := s.checkFetchURL("idpMetadataUrl", raw)
	if err != nil {
		return nil, err
	}
	body, err := s.get(ctx, u.String())
	if err != nil {
		return nil, provisioning.Invalidf("idpMetadataUrl", "%s", s.unreachable(ctx, "the IdP metadata", u.Redacted(), err))
	}
	return s.parseIDPMetadata("idpMetadataUrl", body, false)
}

// get fetches url and reads its body; any status but 200 is a failure.
func (s *Service) get(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	res, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d", res.StatusCode)
	}
	return io.ReadAll(res.Body)
}

// parseIDPMetadata accepts an EntityDescriptor (or the first IdP in an EntitiesDescriptor) with
// an SSO endpoint and a signing certificate. Errors quote the document (the parser's reason,
// the SSO URL) only when quote is set: never for a fetched one.
func (s *Service) parseIDPMetadata(field string, data []byte, quote bool) (*saml.EntityDescriptor, error) {
	if len(data) > maxMetadata {
		return nil, provisioning.Invalidf(field, "the IdP metadata is larger than 1 MB")
	}
	if hasDirective(data) {
		return nil, provisioning.Invalidf(field, "the IdP metadata contains a DOCTYPE or other XML directive, which is not allowed")
	}
	md, err := samlsp.ParseMetadata(data)
	if err != nil && !quote {
		return nil, provisioning.Invalidf(field, "the IdP metadata is not a SAML EntityDescriptor")
	}
	if err != nil {
		return nil, provisioning.Invalidf(field, "the IdP metadata is not a SAML EntityDescriptor: %s", firstLine(err.Error()))
	}
	if md.EntityID == "" || len(md.IDPSSODescriptors) == 0 {
		return nil, provisioning.Invalidf(field, "the IdP metadata has no entityID or no IDPSSODescriptor")
	}
	_, location := ssoEndpoint(md)
	if location == "" {
		return nil, provisioning.Invalidf(field, "the IdP metadata has no SingleSignOnService with the HTTP-Redirect or HTTP-POST binding")
	}
	if _, err := s.checkURL(field, location); err != nil && !quote {
		return nil, provisioning.Invalidf(field, "the IdP metadata's SingleSignOnService location is not an absolute https URL")
	} else if err != nil {
		return nil, err
	}
	certs := signingCerts(md)
	if len(certs) == 0 {
		return nil, provisioning.Invalidf(field, "the IdP metadata has no usable signing certificate")
	}
	if err := s.checkNotExpired(field, certs); err != nil {
		return nil, err
	}
	return md, nil
}

// checkNotExpired refuses IdP signing certificates that have all expired (one valid certificate
// is enough: during a rollover the old one may be listed until it is dropped).
func (s *Service) checkNotExpired(field string, certs []*x509.Certificate) error {
	now := s.svc.Now()
	if slices.ContainsFunc(certs, func(c *x509.Certificate) bool { return now.Before(c.NotAfter) }) {
		return nil
	}
	last := slices.MaxFunc(certs, func(a, b *x509.Certificate) int { return a.NotAfter.Compare(b.NotAfter) })
	return provisioning.Invalidf(field, "the IdP's signing certificate expired on %s: download current metadata (or the new certificate) from the identity provider",
		last.NotAfter.UTC().Format("2 January 2006"))
}

// manualMetadata builds metadata from an entity ID, an SSO URL and a certificate.
func (s *Service) manualMetadata(in ConnectionInput) (*saml.EntityDescriptor, error) {
	switch {
	case in.IDPEntityID == nil || strings.TrimSpace(*in.IDPEntityID) == "":
		return nil, provisioning.Invalidf("idpEntityId", "idpEntityId is required with idpSsoUrl and idpCertificate")
	case in.IDPSSOURL == nil:
		return nil, provisioning.Invalidf("idpSsoUrl", "idpSsoUrl is required with idpEntityId and idpCertificate")
	case in.IDPCertificate == nil:
		return nil, provisioning.Invalidf("idpCertificate", "idpCertificate is required with idpEntityId and idpSsoUrl")
	}
	ssoURL, err := s.checkURL("idpSsoUrl", strings.TrimSpace(*in.IDPSSOURL))
	if err != nil {
		return nil, err
	}
	cert, err := parseCertificate(*in.IDPCertificate)
	if err != nil {
		return nil, provisioning.Invalidf("idpCertificate", "idpCertificate is not a PEM or base64 X.509 certificate")
	}
	if err := s.checkNotExpired("idpCertificate", []*x509.Certificate{cert}); err != nil {
		return nil, err
	}
	key := saml.KeyDescriptor{Use: "signing", KeyInfo: saml.KeyInfo{X509Data: saml.X509Data{
		X509Certificates: []saml.X509Certificate{{Data: base64.StdEncoding.EncodeToString(cert.Raw)}}}}}
	idp := saml.IDPSSODescriptor{SingleSignOnServices: []saml.Endpoint{{Binding: saml.HTTPRedirectBinding, Location: ssoURL.String()}}}
	idp.ProtocolSupportEnumeration = "urn:oasis:names:tc:SAML:2.0:protocol"
	idp.KeyDescriptors = []saml.KeyDescriptor{key}
	return &saml.EntityDescriptor{EntityID: strings.TrimSpace(*in.IDPEntityID), IDPSSODescriptors: []saml.IDPSSODescriptor{idp}}, nil
}

// parseCertificate reads a PEM certificate or bare base64 DER.
func parseCertificate(s string) (*x509.Certificate, error) {
	s = strings.TrimSpace(s)
	if block, _ := pem.Decode([]byte(s)); block != nil {
		return x509.ParseCertificate(block.Bytes)
	}
	der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

// signingCerts lists the IdP's signing certificates (use "signing" or unspecified).
func signingCerts(md *saml.EntityDescriptor) []*x509.Certificate {
	var out []*x509.Certificate
	for _, d := range md.IDPSSODescriptors {
		for _, k := range d.KeyDescriptors {
			if k.Use != "" && k.Use != "signing" {
				continue
			}
			for _, c := range k.KeyInfo.X509Data.X509Certificates {
				if cert, err := parseCertificate(c.Data); err == nil {
					out = append(out, cert)
				}
			}
		}
	}
	return out
}

// ssoEndpoint is the IdP's SSO endpoint, HTTP-Redirect preferred over HTTP-POST.
func ssoEndpoint(md *saml.EntityDescriptor) (binding, location string) {
	for _, binding := range []string{saml.HTTPRedirectBinding, saml.HTTPPostBinding} {
		for _, d := range md.IDPSSODescriptors {
			for _, e := range d.SingleSignOnServices {
				if e.Binding == binding && e.Location != "" {
					return binding, e.Location
				}
			}
		}
	}
	return "", ""
}

// hasDirective reports whether an XML document has a directive (<!DOCTYPE, <!ENTITY, …) or
// cannot be tokenized at all.
func hasDirective(data []byte) bool {
	dec := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.RawToken()
		if err == io.EOF {
			return false
		}
		if err != nil {
			return bytes.Contains(data, []byte("<!"))
		}
		if _, ok := tok.(xml.Directive); ok {
			return true
		}
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

// idpFingerprints lists the SHA-256 fingerprints of the IdP's signing certificates.
func idpFingerprints(md *saml.EntityDescriptor) []string {
	var out []string
	for _, c := range signingCerts(md) {
		out = append(out, certificateOf(c).FingerprintSHA256)
	}
	return out
}
