// Package httperr is the one table from the core's error codes to HTTP statuses. Every HTTP
// transport (the REST API, SCIM, the browser pages of sign-in, invitations and SSO) answers a
// code with the status given here, so the same code means the same status everywhere.
package httperr

import (
	"net/http"

	"github.com/rollcall/rollcall/provisioning"
)

var statuses = map[provisioning.Code]int{
	provisioning.CodeInvalid:           http.StatusBadRequest,
	provisioning.CodeUnauthorized:      http.StatusUnauthorized,
	provisioning.CodeForbidden:         http.StatusForbidden,
	provisioning.CodeEmailMismatch:     http.StatusForbidden,
	provisioning.CodeNotFound:          http.StatusNotFound,
	provisioning.CodeConflict:          http.StatusConflict,
	provisioning.CodeLastOwner:         http.StatusConflict,
	provisioning.CodeSeatLimit:         http.StatusConflict,
	provisioning.CodeInvitationUsed:    http.StatusConflict,
	provisioning.CodeGone:              http.StatusGone,
	provisioning.CodeInvitationExpired: http.StatusGone,
	provisioning.CodeInvitationRevoked: http.StatusGone,
	provisioning.CodePreconditionFail:  http.StatusPreconditionFailed,
	provisioning.CodePayloadTooLarge:   http.StatusRequestEntityTooLarge,
	provisioning.CodeQuotaExceeded:     http.StatusTooManyRequests,
	provisioning.CodeRateLimited:       http.StatusTooManyRequests,
	provisioning.CodeNotImplemented:    http.StatusNotImplemented,
	provisioning.CodeUnavailable:       http.StatusServiceUnavailable,
	provisioning.CodeInternal:          http.StatusInternalServerError,
}

// Status is the HTTP status of a code; an unknown code is an internal error.
func Status(code provisioning.Code) int {
	if s, ok := statuses[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// StatusOf is the HTTP status of err's code.
func StatusOf(err error) int { return Status(provisioning.ErrorCode(err)) }
