package api

import (
	"encoding/json"
	"net/http"

	"github.com/go-chi/chi/v5/middleware"

	"github.com/rollcall/rollcall/httperr"
	"github.com/rollcall/rollcall/provisioning"
)

const codeMethodNotAllowed provisioning.Code = "method_not_allowed"

// Status returns the HTTP status for an error's code (httperr's table, plus the API's own
// method_not_allowed).
func Status(err error) int {
	if provisioning.ErrorCode(err) == codeMethodNotAllowed {
		return http.StatusMethodNotAllowed
	}
	return httperr.StatusOf(err)
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
	httperr.LogFailure(r.Context(), a.logger, "request failed", err, "request_id", reqID, "path", provisioning.RedactPath(r.URL.Path))
	httperr.SetRetryAfterFor(w.Header(), err)
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
