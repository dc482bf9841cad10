package sso

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/crewjam/saml"

	"github.com/rollcall/rollcall/provisioning"
)

// Namespaces of SAML protocol and assertion elements.
const (
	nsProtocol  = "urn:oasis:names:tc:SAML:2.0:protocol"
	nsAssertion = "urn:oasis:names:tc:SAML:2.0:assertion"
	bearer      = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
	nsXMLEnc    = "http://www.w3.org/2001/04/xmlenc#"
	nsDSig      = "http://www.w3.org/2000/09/xmldsig#"
)

// refusedEncryption are the XML Encryption algorithms Rollcall never decrypts, whatever crewjam
// registers: RSA PKCS#1 v1.5 key transport (Bleichenbacher padding oracle) and 3DES. They are
// refused on sight, before any key is used, so the refusal says nothing about the SP key and may
// name the algorithm (unlike a failed decryption, see errNoDecrypt).
var refusedEncryption = map[string]string{
	nsXMLEnc + "rsa-1_5":       "RSA PKCS#1 v1.5 key transport (rsa-1_5)",
	nsXMLEnc + "tripledes-cbc": "Triple DES (tripledes-cbc)",
}

// shape is what a structural look at a response found before any signature check.
type shape struct {
	inResponseTo string
}

// inspectResponse refuses what must never reach the signature check: XML directives (DOCTYPE,
// entities), a root other than samlp:Response, a refused encryption algorithm, and anything but
// exactly one assertion (plain or encrypted) sitting directly under the Response. An extra
// assertion anywhere, a wrapped one inside another element, or none, is the classic shape of
// signature-wrapping attacks. A plain assertion in an unsigned Response must carry a signature
// (whether it is valid is crewjam's check).
func inspectResponse(raw []byte) (shape, error) {
	var sh shape
	if hasDirective(raw) {
		return sh, refuse(provisioning.CodeInvalid, nil, "The SAML response contains a DOCTYPE or another XML directive. Rollcall never accepts those.")
	}
	dec := xml.NewDecoder(bytes.NewReader(raw))
	depth, count, nested := 0, 0, false
	inPlain, encrypted, signed := false, false, false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return sh, refuse(provisioning.CodeInvalid, err, "The SAML response is not well-formed XML.")
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 1 {
				if t.Name.Space != nsProtocol || t.Name.Local != "Response" {
					return sh, refuse(provisioning.CodeInvalid, fmt.Errorf("root element is %s %s", t.Name.Space, t.Name.Local), "The message is not a SAML Response.")
				}
				sh.inResponseTo = attr(t, "InResponseTo")
			}
			if t.Name.Space == nsAssertion && (t.Name.Local == "Assertion" || t.Name.Local == "EncryptedAssertion") {
				count++
				nested = nested || depth != 2
				inPlain, encrypted = depth == 2 && t.Name.Local == "Assertion", t.Name.Local == "EncryptedAssertion"
			}
			if t.Name.Space == nsDSig && t.Name.Local == "Signature" && (depth == 2 || (depth == 3 && inPlain)) {
				signed = true
			}
			if t.Name.Space == nsXMLEnc && t.Name.Local == "EncryptionMethod" {
				if name, refused := refusedEncryption[attr(t, "Algorithm")]; refused {
					return sh, refuse(provisioning.CodeUnauthorized, fmt.Errorf("EncryptionMethod %s", attr(t, "Algorithm")),
						"The encrypted assertion uses %s, which Rollcall refuses. Configure the identity provider to encrypt with RSA-OAEP key transport and AES (AES-GCM preferred).", name)
				}
			}
		case xml.EndElement:
			if depth == 2 {
				inPlain = false
			}
			depth--
		}
	}
	switch {
	case count != 1:
		return sh, refuse(provisioning.CodeInvalid, fmt.Errorf("%d assertions", count), "The SAML response must contain exactly one assertion; this one contains %d.", count)
	case nested:
		return sh, refuse(provisioning.CodeInvalid, errors.New("assertion is not a direct child of Response"), "The SAML response's assertion is not where it belongs (directly inside the Response).")
	case !encrypted && !signed:
		return sh, refuse(provisioning.CodeUnauthorized, errors.New("neither the Response nor the Assertion has a Signature"), msgNotSigned)
	}
	return sh, nil
}

func attr(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if a.Name.Local == name && a.Name.Space == "" {
			return a.Value
		}
	}
	return ""
}

// parseResponse verifies the response with crewjam (signature on the response or the assertion
// against the IdP certificates in the connection's metadata, issuer, destination, recipient,
// audience, InResponseTo, SHA-1 refused unless the connection allows it). An encrypted
// assertion is opened with any SP key that still decrypts, so a key rotation does not break
// sign-ins before the IdP catches up.
func (s *Service) parseResponse(ctx context.Context, c connection, raw []byte, requestIDs []string, idpInitiated bool) (as *saml.Assertion, err error) {
	keys, err := s.currentSPKeys(ctx)
	if err != nil {
		return nil, err
	}
	sp, err := s.serviceProvider(c, keys.signing)
	if err != nil {
		return nil, err
	}
	sp.DecryptionKeys = keys.decryption()
	sp.AllowIDPInitiated = idpInitiated
	acs, _ := url.Parse(s.acsURL(c.ID))
	defer func() {
		if p := recover(); p != nil {
			as, err = nil, refuse(provisioning.CodeInvalid, fmt.Errorf("parser panic: %v", p), "The SAML assertion is incomplete (it lacks a Subject or Conditions).")
		}
	}()
	as, err = sp.ParseXMLResponse(raw, requestIDs, *acs)
	if err != nil {
		return nil, classifySAML(err)
	}
	return as, nil
}

// checkAssertion adds Rollcall's own checks to crewjam's: a NameID, a bearer confirmation with an
// expiry, the time window with the configured skew on our clock, and for IdP-initiated sign-ins
// no InResponseTo (a response answering someone's request is not accepted unsolicited).
func (s *Service) checkAssertion(as *saml.Assertion, idpInitiated bool) error {
	if as.Subject == nil || as.Subject.NameID == nil || strings.TrimSpace(as.Subject.NameID.Value) == "" {
		return refuse(provisioning.CodeInvalid, nil, "The SAML assertion names no subject (NameID).")
	}
	if len(as.Subject.NameID.Value) > 512 {
		return refuse(provisioning.CodeInvalid, nil, "The SAML assertion's NameID is longer than 512 characters.")
	}
	if as.Conditions == nil {
		return refuse(provisioning.CodeInvalid, nil, "The SAML assertion has no Conditions.")
	}
	if as.ID == "" || len(as.ID) > 256 {
		return refuse(provisioning.CodeInvalid, nil, "The SAML assertion has no usable ID.")
	}
	now := s.svc.Now()
	tooOld := func(t time.Time) bool { return !t.IsZero() && !now.Add(-s.skew).Before(t) }
	if !as.Conditions.NotBefore.IsZero() && now.Add(s.skew).Before(as.Conditions.NotBefore) {
		return refuse(provisioning.CodeUnauthorized, fmt.Errorf("NotBefore %s, now %s", as.Conditions.NotBefore, now), "The SAML assertion is not valid yet (check the clocks of the identity provider and Rollcall).")
	}
	if now.Add(s.skew).Before(as.IssueInstant) {
		return refuse(provisioning.CodeUnauthorized, fmt.Errorf("IssueInstant %s, now %s", as.IssueInstant, now), "The SAML assertion was issued in the future (check the clocks).")
	}
	if tooOld(as.Conditions.NotOnOrAfter) {
		return refuse(provisioning.CodeUnauthorized, fmt.Errorf("NotOnOrAfter %s, now %s", as.Conditions.NotOnOrAfter, now), "The SAML assertion has expired.")
	}
	bearers := 0
	for _, sc := range as.Subject.SubjectConfirmations {
		if sc.Method != bearer || sc.SubjectConfirmationData == nil {
			continue
		}
		bearers++
		d := sc.SubjectConfirmationData
		if d.NotOnOrAfter.IsZero() || tooOld(d.NotOnOrAfter) {
			return refuse(provisioning.CodeUnauthorized, fmt.Errorf("SubjectConfirmationData NotOnOrAfter %s, now %s", d.NotOnOrAfter, now), "The SAML assertion has expired.")
		}
		if idpInitiated && d.InResponseTo != "" {
			return refuse(provisioning.CodeUnauthorized, nil, "The SAML response answers a sign-in request, but it arrived without that sign-in.")
		}
	}
	if bearers == 0 {
		return refuse(provisioning.CodeInvalid, nil, "The SAML assertion has no bearer subject confirmation.")
	}
	return nil
}

// replayExpiry is how long an assertion id must be remembered: past the last moment any check
// (ours or crewjam's, with their leeways) could still accept the assertion.
func (s *Service) replayExpiry(as *saml.Assertion) time.Time {
	last := as.IssueInstant.Add(saml.MaxIssueDelay)
	if as.Conditions != nil && as.Conditions.NotOnOrAfter.After(last) {
		last = as.Conditions.NotOnOrAfter
	}
	for _, sc := range as.Subject.SubjectConfirmations {
		if d := sc.SubjectConfirmationData; d != nil && d.NotOnOrAfter.After(last) {
			last = d.NotOnOrAfter
		}
	}
	return last.Add(saml.MaxClockSkew + s.skew)
}
