package httperr_test

import (
	"net/http"
	"testing"

	"github.com/rollcall/rollcall/httperr"
	"github.com/rollcall/rollcall/provisioning"
)

// TestEveryCodeHasAStatus walks every code of the core: each has its own entry (only internal
// maps to 500), so a new code cannot silently become a 500.
func TestEveryCodeHasAStatus(t *testing.T) {
	for _, c := range provisioning.Codes() {
		s := httperr.Status(c)
		if (s == http.StatusInternalServerError) != (c == provisioning.CodeInternal) {
			t.Errorf("%s answers %d", c, s)
		}
	}
	if httperr.Status("no_such_code") != http.StatusInternalServerError {
		t.Error("an unknown code must be internal")
	}
}
