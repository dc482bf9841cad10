package scim

import (
	"context"
	stderrors "errors"
	"net/http"
	"strconv"

	"github.com/elimity-com/scim/errors"

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
	msg := provisioning.ErrorMessage(err)
	switch provisioning.ErrorCode(err) {
	case provisioning.CodeNotFound:
		return errors.ScimError{Status: http.StatusNotFound, Detail: msg}
	case provisioning.CodeInvalid:
		return errors.ScimError{Status: http.StatusBadRequest, ScimType: errors.ScimTypeInvalidValue, Detail: msg}
	case provisioning.CodeConflict:
		return errors.ScimError{Status: http.StatusConflict, ScimType: errors.ScimTypeUniqueness, Detail: msg}
	case provisioning.CodeLastOwner, provisioning.CodeSeatLimit:
		return errors.ScimError{Status: http.StatusConflict, ScimType: errors.ScimTypeMutability, Detail: msg}
	case provisioning.CodeForbidden:
		return errors.ScimError{Status: http.StatusForbidden, Detail: msg}
	case provisioning.CodeUnauthorized:
		return errors.ScimError{Status: http.StatusUnauthorized, Detail: msg}
	case provisioning.CodePreconditionFail:
		return errors.ScimError{Status: http.StatusPreconditionFailed, Detail: msg}
	}
	s.log.ErrorContext(ctx, "scim request failed", "err", err)
	return errors.ScimError{Status: http.StatusInternalServerError, Detail: "Internal error."}
}

// writeError writes a SCIM error document.
func writeError(w http.ResponseWriter, e errors.ScimError) {
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(e.Status)
	b, _ := e.MarshalJSON()
	_, _ = w.Write(b)
}

func scimStatus(status int, scimType errors.ScimType, detail string) errors.ScimError {
	return errors.ScimError{Status: status, ScimType: scimType, Detail: detail}
}

func retryAfterSeconds(d int) string { return strconv.Itoa(max(d, 1)) }
