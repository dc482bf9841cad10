package scim

import (
	"context"
	"log/slog"
	"testing"

	"github.com/elimity-com/scim/errors"

	"github.com/rollcall/rollcall/httperr"
	"github.com/rollcall/rollcall/provisioning"
)

// TestErrorStatuses: SCIM answers every core code with the agreed status, in its error schema.
func TestErrorStatuses(t *testing.T) {
	s := &Service{log: slog.New(slog.DiscardHandler)}
	for _, c := range provisioning.Codes() {
		se, ok := s.scimError(context.Background(), provisioning.Errorf(c, "x")).(errors.ScimError)
		if !ok || se.Status != httperr.Status(c) {
			t.Errorf("%s: %+v, want status %d", c, se, httperr.Status(c))
		}
	}
}
