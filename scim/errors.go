package scim

import (
	"context"
	stderrors "errors"
	"net/http"

	"github.com/elimity-com/scim/errors"

	"github.com/rollcall/rollcall/httperr"
	"github.com/rollcall/rollcall/provisioning"
)

// scimError is the one mapping from core errors to SCIM errors. Internal causes are logged,
// never shown.
func (s *Service) scimError(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	var se errors.ScimError
	if stderrors.As(err, &se) {
		return se
	}
	code := provisioning.ErrorCode(err)
	httperr.LogFailure(ctx, s.log, "scim request failed", err)
	se = errors.ScimError{Status: httperr.Status(code), ScimType: scimTypes[code], Detail: provisioning.ErrorMessage(err)}
	noteError(ctx, se, code)
	return se
}

// scimTypes names the SCIM error type of the codes RFC 7644 has one for; the status of every
// code is httperr's, as in every transport.
var scimTypes = map[provisioning.Code]errors.ScimType{
	provisioning.CodeInvalid:   errors.ScimTypeInvalidValue,
	provisioning.CodeConflict:  errors.ScimTypeUniqueness,
	provisioning.CodeLastOwner: errors.ScimTypeMutability,
	provisioning.CodeSeatLimit: errors.ScimTypeMutability,
}

// writeError answers with a SCIM error a request the library never sees (401, 413, 429, 405);
// the library renders every other error. The document is the library's (ScimError.MarshalJSON).
func writeError(w http.ResponseWriter, e errors.ScimError) {
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(e.Status)
	b, _ := e.MarshalJSON()
	_, _ = w.Write(b)
}

func scimStatus(status int, scimType errors.ScimType, detail string) errors.ScimError {
	return errors.ScimError{Status: status, ScimType: scimType, Detail: detail}
}
