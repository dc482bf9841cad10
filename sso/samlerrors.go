package sso

import (
	"errors"
	"strings"

	"github.com/crewjam/saml"

	"github.com/rollcall/rollcall/provisioning"
)

// errNoDecrypt is the only detail recorded for an encrypted assertion that does not decrypt.
// crewjam's own reason differs with the way decryption failed (bad key transport padding, bad
// block padding, plaintext that is not XML, which key was tried); shown, logged or audited, those
// differences would be an oracle against the one SP key that decrypts every org's assertions.
var errNoDecrypt = errors.New("the encrypted assertion does not decrypt with the SP keys")

// msgNoDecrypt is what the person signing in sees for every decryption failure.
const msgNoDecrypt = "The encrypted assertion could not be decrypted with Rollcall's SAML key."

// msgNotSigned is shown for a response without a valid signature by the connection's IdP.
const msgNotSigned = "The SAML response is not signed, or its signature was not made by this connection's identity provider certificate."

// classifySAML turns crewjam's rejection into a message for the person signing in, by the
// error kinds crewjam attaches (errors.Is), never by its wording; the library's reason goes to
// the audit log, except for decryption failures (see errNoDecrypt).
func classifySAML(err error) error {
	detail := err
	var ire *saml.InvalidResponseError
	if errors.As(err, &ire) && ire.PrivateErr != nil {
		detail = ire.PrivateErr
	}
	is := func(kinds ...error) bool {
		for _, k := range kinds {
			if !errors.Is(detail, k) {
				return false
			}
		}
		return true
	}
	var bad saml.ErrBadStatus
	switch {
	case errors.As(detail, &bad):
		return refuse(provisioning.CodeUnauthorized, detail, "The identity provider did not sign you in (status %s).", bad.Status[strings.LastIndex(bad.Status, ":")+1:])
	case is(saml.ErrDecryptionFailed):
		return refuse(provisioning.CodeUnauthorized, errNoDecrypt, msgNoDecrypt)
	case is(saml.ErrInvalidSignature, saml.ErrUnsupported):
		// The only unsupported signature crewjam refuses is a SHA-1 one (RejectSHA1Signatures).
		return refuse(provisioning.CodeUnauthorized, detail, "The SAML response is signed with SHA-1, which Rollcall refuses. Configure the identity provider to sign with SHA-256, or, for a legacy identity provider that cannot, an administrator can allow SHA-1 signatures on this connection (allowSha1Signatures).")
	case is(saml.ErrRequestIDMismatch):
		return refuse(provisioning.CodeUnauthorized, detail, "The SAML response does not answer the sign-in request started here.")
	case is(saml.ErrCertificateNotValidNow):
		return refuse(provisioning.CodeUnauthorized, detail, "The SAML response's signature was made with an identity provider certificate that is expired or not yet valid.")
	case is(saml.ErrInvalidSignature):
		return refuse(provisioning.CodeUnauthorized, detail, msgNotSigned)
	case is(saml.ErrDestinationMismatch):
		return refuse(provisioning.CodeUnauthorized, detail, "The SAML response is addressed to a different endpoint than this connection's ACS URL.")
	case is(saml.ErrAudienceMismatch):
		return refuse(provisioning.CodeUnauthorized, detail, "The SAML assertion is meant for a different service provider (its audience is not this connection).")
	case is(saml.ErrExpired), is(saml.ErrNotYetValid):
		return refuse(provisioning.CodeUnauthorized, detail, "The SAML assertion is outside its validity time window.")
	case is(saml.ErrIssuerMismatch):
		return refuse(provisioning.CodeUnauthorized, detail, "The SAML response was issued by a different identity provider than this connection's.")
	case is(saml.ErrMissingElement):
		return refuse(provisioning.CodeInvalid, detail, "The SAML response is incomplete (it lacks a required element).")
	case is(saml.ErrMalformedMessage):
		return refuse(provisioning.CodeInvalid, detail, "The SAML response could not be read (it is malformed).")
	}
	return refuse(provisioning.CodeUnauthorized, detail, "The identity provider's SAML response could not be verified.")
}
