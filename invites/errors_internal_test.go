package invites

import (
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/rollcall/rollcall/httperr"
	"github.com/rollcall/rollcall/provisioning"
)

// TestErrorStatuses: the sign-in and invitation pages answer every core code with the agreed
// status, as JSON and as a page.
func TestErrorStatuses(t *testing.T) {
	s := &Service{logger: slog.New(slog.DiscardHandler)}
	for _, c := range provisioning.Codes() {
		for _, accept := range []string{"application/json", "text/html"} {
			r := httptest.NewRequest("GET", "/invitations", nil)
			r.Header.Set("Accept", accept)
			w := httptest.NewRecorder()
			s.writeError(w, r, provisioning.Errorf(c, "x"))
			if w.Code != httperr.Status(c) {
				t.Errorf("%s (%s): %d, want %d", c, accept, w.Code, httperr.Status(c))
			}
		}
	}
}
