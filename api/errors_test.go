package api_test

import (
	"testing"

	"github.com/rollcall/rollcall/api"
	"github.com/rollcall/rollcall/httperr"
	"github.com/rollcall/rollcall/provisioning"
)

// TestErrorStatuses: the API answers every core code with the agreed status.
func TestErrorStatuses(t *testing.T) {
	for _, c := range provisioning.Codes() {
		if got, want := api.Status(provisioning.Errorf(c, "x")), httperr.Status(c); got != want {
			t.Errorf("%s: %d, want %d", c, got, want)
		}
	}
}
