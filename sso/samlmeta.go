package sso

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"encoding/xml"
	"io"
	"net/http"
	"strings"

	"github.com/crewjam/saml"
	"github.com/crewjam/saml/samlsp"

	"github.com/rollcall/rollcall/provisioning"
)

const maxMetadata = 1 << 20

// applySAML validates and applies the SAML fields. IdP metadata given by URL is fetched here,
// once; sign-ins use only the stored copy.
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
		sc.IDPMetadataURL = strings.TrimSpace(*in.IDPMetadataURL)
	case in.IDPMetadataXML != nil:
		md, err = s.parseIDPMetadata("idpMetadataXml", []byte(*in.IDPMetadataXML))
		sc.IDPMetadataURL = ""
	case sources == 1:
		md, err = s.manualMetadata(in)
		sc.IDPMetadataURL = ""
	case sc.IDPMetadataXML == "":
		return provisioning.Invalidf("idpMetadataUrl", "a SAML connection needs its IdP: idpMetadataUrl, idpMetadataXml, or idpEntityId + idpSsoUrl + idpCertificate")
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

func (s *Service) fetchMetadata(ctx context.Context, raw string) (*saml.EntityDescriptor, error) {
	u, err := s.checkURL("idpMetadataUrl", raw)
	if err != nil {
		return nil, err
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	res, err := s.client.Do(req)
	if err != nil {
		return nil, provisioning.Invalidf("idpMetadataUrl", "could not fetch the IdP metadata from %s", u.Redacted())
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, provisioning.Invalidf("idpMetadataUrl", "fetching the IdP metadata from %s answered HTTP %d", u.Redacted(), res.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, maxMetadata+1))
	if err != nil || len(body) > maxMetadata {
		return nil, provisioning.Invalidf("idpMetadataUrl", "the IdP metadata at %s could not be read or is larger than 1 MB", u.Redacted())
	}
	return s.parseIDPMetadata("idpMetadataUrl", body)
}

// parseIDPMetadata accepts an EntityDescriptor (or the first IdP in an EntitiesDescriptor) with
// an SSO endpoint and a signing certificate.
func (s *Service) parseIDPMetadata(field string, data []byte) (*saml.EntityDescriptor, error) {
	if len(data) > maxMetadata {
		return nil, provisioning.Invalidf(field, "the IdP metadata is larger than 1 MB")
	}
	if hasDirective(data) {
		return nil, provisioning.Invalidf(field, "the IdP metadata contains a DOCTYPE or other XML directive, which is not allowed")
	}
	md, err := samlsp.ParseMetadata(data)
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
	if _, err := s.checkURL(field, location); err != nil {
		return nil, err
	}
	if len(signingCerts(md)) == 0 {
		return nil, provisioning.Invalidf(field, "the IdP metadata has no usable signing certificate")
	}
	return md, nil
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
