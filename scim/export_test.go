package scim

import (
	"context"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

// Authenticate exposes token authentication to tests (a second instance over one store).
func Authenticate(s *Service, ctx context.Context, bearer string) (provisioning.Actor, time.Duration, error) {
	return s.authenticate(ctx, bearer)
}

// AfterEachBatch makes a large group change call fn after each batch it commits.
func AfterEachBatch(s *Service, fn func()) { s.batchDone = fn }
