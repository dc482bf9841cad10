package invites_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/store/storetest"
)

// TestBulkThousand: a full 1,000-address bulk invitation in one call, on both stores.
func TestBulkThousand(t *testing.T) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			e := newEnv(t, b, envOptions{limit: -1})
			var text strings.Builder
			for i := range 1000 {
				fmt.Fprintf(&text, "person%d@big.example\n", i)
			}
			start := time.Now()
			r := e.api(e.owner, "POST", "/orgs/acme/invitations/bulk", map[string]any{"text": text.String()})
			took := time.Since(start)
			if inv, _ := r.Body["invited"].([]any); r.Status != 200 || len(inv) != 1000 {
				t.Fatalf("bulk 1000: %d, %d invited", r.Status, len(inv))
			}
			if pending := e.outbox(provisioning.OutboxPending); len(pending) != 1000 {
				t.Fatalf("%d emails queued, want 1000", len(pending))
			}
			t.Logf("1,000 invitations in %v", took)
		})
	}
}
