package scim

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/elimity-com/scim/errors"

	"github.com/rollcall/rollcall/provisioning"
)

// TestErrorPassKeepsTheCoreStatus: when the library turns an error we handed it into a 500
// (it does so for 503, 429, 410 and a 409 on GET), the answer is our error, status and
// Retry-After included; a 500 of the library's own, or any other answer, passes untouched.
func TestErrorPassKeepsTheCoreStatus(t *testing.T) {
	s := &Service{log: slog.New(slog.DiscardHandler)}
	for _, c := range []struct {
		name    string
		err     error
		status  int
		retry   string
		contain string
	}{
		{"database away", provisioning.Unavailable(nil), 503, "5", "try again"},
		{"gone", provisioning.Errorf(provisioning.CodeGone, "the group is gone"), 410, "", "the group is gone"},
		{"internal", provisioning.Internal(nil), 500, "", "not applicable"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			w, r := withErrorPass(rec, httptest.NewRequest("GET", "/Users", nil))
			_ = s.scimError(r.Context(), c.err)
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"detail":"The HTTP status code is not applicable to the GET-operation."}`))
			if rec.Code != c.status || rec.Header().Get("Retry-After") != c.retry || !strings.Contains(rec.Body.String(), c.contain) {
				t.Fatalf("got %d %q %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
			}
		})
	}
	rec := httptest.NewRecorder()
	w, r := withErrorPass(rec, httptest.NewRequest("GET", "/Users", nil))
	noteError(r.Context(), errors.ScimError{Status: 404, Detail: "x"}, provisioning.CodeNotFound)
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write([]byte("library body"))
	if rec.Code != 404 || rec.Body.String() != "library body" {
		t.Fatalf("a listed status was rewritten: %d %s", rec.Code, rec.Body)
	}
}
