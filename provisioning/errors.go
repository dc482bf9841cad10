package provisioning

import (
	"errors"
	"fmt"
	"time"
)

// Code classifies an Error so that every transport can map it to a status in one place.
type Code string

// The error codes the core returns. Transports map them to HTTP statuses and SCIM errors.
const (
	CodeInvalid          Code = "invalid"
	CodeNotFound         Code = "not_found"
	CodeConflict         Code = "conflict"
	CodeSeatLimit        Code = "seat_limit_reached"
	CodeForbidden        Code = "forbidden"
	CodeUnauthorized     Code = "unauthorized"
	CodeLastOwner        Code = "last_owner"
	CodeQuotaExceeded    Code = "invite_quota_exceeded"
	CodeRateLimited      Code = "rate_limited"
	CodeGone             Code = "gone"
	CodeUnavailable      Code = "unavailable"
	CodeInternal         Code = "internal"
	CodeNotImplemented   Code = "not_implemented"
	CodePayloadTooLarge  Code = "payload_too_large"
	CodePreconditionFail Code = "precondition_failed"
	// CodeInvitationExpired: the invitation's expiry has passed.
	CodeInvitationExpired Code = "invitation_expired"
	// CodeInvitationRevoked: an admin revoked the invitation.
	CodeInvitationRevoked Code = "invitation_revoked"
	// CodeInvitationUsed: the invitation was already accepted or declined.
	CodeInvitationUsed Code = "invitation_used"
	// CodeEmailMismatch: the signed-in user's verified email is not the invited one.
	CodeEmailMismatch Code = "email_mismatch"
)

// Codes lists every code the core returns, for transports to check their mappings against.
func Codes() []Code {
	return []Code{CodeInvalid, CodeNotFound, CodeConflict, CodeSeatLimit, CodeForbidden, CodeUnauthorized,
		CodeLastOwner, CodeQuotaExceeded, CodeRateLimited, CodeGone, CodeUnavailable, CodeInternal,
		CodeNotImplemented, CodePayloadTooLarge, CodePreconditionFail, CodeInvitationExpired,
		CodeInvitationRevoked, CodeInvitationUsed, CodeEmailMismatch}
}

// Error is the one error type of the core: a code for machines and a message that is safe to
// show to the caller. Cause, when set, is for logs only and never shown.
type Error struct {
	Code    Code
	Message string
	// Field names the offending input field, when one is to blame.
	Field string
	// RetryAfter, on a rate_limited error, is how long until the limit lets the request
	// through; transports answer it as Retry-After.
	RetryAfter time.Duration
	Cause      error
}

// Error implements error.
func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Cause)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap exposes the cause to errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.Cause }

// Errorf builds an *Error with a formatted, caller-safe message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalidf builds an invalid-input error that names the offending field.
func Invalidf(field, format string, args ...any) *Error {
	return &Error{Code: CodeInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// RateLimited builds a rate_limited error that says when to come back: after retryAfter, when
// the limit that refused the request lets it through again.
func RateLimited(retryAfter time.Duration, format string, args ...any) *Error {
	return &Error{Code: CodeRateLimited, RetryAfter: retryAfter, Message: fmt.Sprintf(format, args...)}
}

// ErrorRetryAfter returns how long err says to wait before retrying a rate-limited request:
// zero when it does not say.
func ErrorRetryAfter(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) && e.Code == CodeRateLimited {
		return e.RetryAfter
	}
	return 0
}

// Internal wraps an unexpected failure; the caller sees only "Internal error.".
func Internal(cause error) *Error {
	return &Error{Code: CodeInternal, Message: "Internal error.", Cause: cause}
}

// Unavailable wraps a failure to reach the database (refused or dropped connection, timeout,
// shutdown): the caller is told to try again shortly, and transports answer 503 with
// Retry-After.
func Unavailable(cause error) *Error {
	return &Error{Code: CodeUnavailable, Message: "The database is not answering right now; try again in a few seconds.", Cause: cause}
}

// ErrorCode returns the code of the first *Error in err's chain, or CodeInternal.
func ErrorCode(err error) Code {
	var e *Error
	if err == nil {
		return ""
	}
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// ErrorMessage returns the caller-safe message of err; internal errors say only "Internal error.".
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != CodeInternal {
		return e.Message
	}
	return "Internal error."
}

// ErrorField returns the input field blamed by err, if any.
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// IsCode reports whether err carries the given code.
func IsCode(err error, code Code) bool { return err != nil && ErrorCode(err) == code }
