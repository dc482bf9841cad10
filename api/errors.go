package api

import (
	"encoding/json"
	"net/http"

	"github.com/go-chi/chi/v5/middleware"

	"github.com/rollcall/rollcall/provisioning"
)

const codeMethodNotAllowed provisioning.Code = "method_not_allowed"

// statusOf is the one table mapping core error codes to HTTP statuses.
var statusOf = map[provisioning.Code]int{
	provisioning.CodeInvalid:           http.StatusBadRequest,
	provisioning.CodeUnauthorized:      http.StatusUnauthorized,
	provisioning.CodeForbidden:         http.StatusForbidden,
	provisioning.CodeNotFound:          http.StatusNotFound,
	codeMethodNotAllowed:               http.StatusMethodNotAllowed,
	provisioning.CodeConflict:          http.StatusConflict,
	provisioning.CodeLastOwner:         http.StatusConflict,
	provisioning.CodeSeatLimit:         http.StatusConflict,
	provisioning.CodeGone:              http.StatusGone,
	provisioning.CodePreconditionFail:  http.StatusPreconditionFailed,
	provisioning.CodePayloadTooLarge:   http.StatusRequestEntityTooLarge,
	provisioning.CodeQuotaExceeded:     http.StatusTooManyRequests,
	provisioning.CodeRateLimited:       http.StatusTooManyRequests,
	provisioning.CodeNotImplemented:    http.StatusNotImplemented,
	provisioning.CodeUnavailable:       http.StatusServiceUnavailable,
	provisioning.CodeInternal:          http.StatusInternalServerError,
	provisioning.CodeInvitationExpired: http.StatusGone,
	provisioning.CodeInvitationRevoked: http.StatusGone,
	provisioning.CodeInvitationUsed:    http.StatusConflict,
	provisioning.CodeEmailMismatch:     http.StatusForbidden,
}

// Status returns the HTTP status for an error's code.
func Status(err error) int {
	if s, ok := statusOf[provisioning.ErrorCode(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// ErrorBody is the JSON shape of every API error.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is a machine code, a message safe to show, and the input field to blame.
type ErrorDetail struct {
	Code      provisioning.Code `json:"code"`
	Message   string            `json:"message"`
	Field     string            `json:"field,omitempty"`
	RequestID string            `json:"requestId,omitempty"`
}

// writeError renders err; internal causes go to the log with the request id, never to the client.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status := Status(err)
	reqID := middleware.GetReqID(r.Context())
	if status >= 500 {
		a.logger.ErrorContext(r.Context(), "request failed", "err", err, "request_id", reqID, "path", r.URL.Path)
	}
	if provisioning.ErrorCode(err) == provisioning.CodeRateLimited {
		w.Header().Set("Retry-After", "60")
	}
	writeJSON(w, status, ErrorBody{Error: ErrorDetail{
		Code: provisioning.ErrorCode(err), Message: provisioning.ErrorMessage(err),
		Field: provisioning.ErrorField(err), RequestID: reqID,
	}})
}

// WriteError renders an error the API way, for extension handlers outside the adapter.
func (a *API) WriteError(w http.ResponseWriter, r *http.Request, err error) { a.writeError(w, r, err) }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// JSON writes v with status; extension handlers use it to render results.
func JSON(w http.ResponseWriter, status int, v any) error {
	writeJSON(w, status, v)
	return nil
}
