package provisioning_test

import (
	"strings"
	"testing"

	"github.com/rollcall/rollcall/provisioning"
)

func TestRedactPath(t *testing.T) {
	inv, _ := provisioning.NewSecret("inv_")
	lnk, _ := provisioning.NewSecret("lnk_")
	bare := strings.Repeat("Ab9-", 11) // a secret without a prefix (random ones may start like one)
	id := provisioning.NewID()
	for _, c := range []struct{ in, want string }{
		{"/invitations/" + inv + "/accept", "/invitations/inv_[redacted]/accept"},
		{"/join/" + lnk, "/join/lnk_[redacted]"},
		{"/x/" + bare, "/x/[redacted]"},
		{"/api/v1/orgs/acme/members/" + id, "/api/v1/orgs/acme/members/" + id},
		{"/api/v1/orgs/acme/members", "/api/v1/orgs/acme/members"},
		{"/scim/v2/Users/" + id, "/scim/v2/Users/" + id},
		{"/short/inv_abc", "/short/inv_abc"},
	} {
		got := provisioning.RedactPath(c.in)
		if got != c.want {
			t.Errorf("RedactPath(%q) = %q, want %q", c.in, got, c.want)
		}
		if strings.Contains(got, inv) || strings.Contains(got, lnk) || strings.Contains(got, bare) {
			t.Errorf("secret left in %q", got)
		}
	}
}
