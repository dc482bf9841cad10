package scim_test

import (
	"strings"
	"testing"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/scim"
	"github.com/rollcall/rollcall/store/storetest"
)

// TestCreateChecksTokenInItsTransaction: a POST /Users checks its token and the rate limit in
// the transaction that creates the user: a wrong token gets 401 with WWW-Authenticate, a
// request over the limit 429 with Retry-After, a taken userName 409 uniqueness, and none of
// them leaves a user, membership or SCIM user behind.
func TestCreateChecksTokenInItsTransaction(t *testing.T) {
	each(t, func(t *testing.T, b storetest.Backend) {
		e := newEnv(t, b, -1, scim.Options{RateLimitPerMinute: 3})
		r := e.doAs("scim_wrong", "POST", "/Users", userBody("eve@acme.com"))
		e.wantError(r, 401, "", "a token nobody has")
		if h := r.Header.Get("WWW-Authenticate"); !strings.Contains(h, "invalid_token") {
			t.Fatalf("WWW-Authenticate: %q", h)
		}
		e.wantError(e.doAs("", "POST", "/Users", userBody("eve@acme.com")), 401, "", "no token")
		e.want(e.do("POST", "/Users", userBody("ann@acme.com")), 201, "create")
		e.wantError(e.do("POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
			"userName":"ANN@acme.com","emails":[{"value":"bob@acme.com","primary":true}]}`), 409, "uniqueness", "a taken userName")
		e.want(e.do("POST", "/Users", userBody("cy@acme.com")), 201, "the last request of the minute")
		r = e.do("POST", "/Users", userBody("dan@acme.com"))
		e.wantError(r, 429, "", "over the limit")
		if r.Header.Get("Retry-After") == "" {
			t.Fatal("429 without Retry-After")
		}
		e.h.Clock.Advance(61_000_000_000)
		if r := e.do("GET", "/Users", ""); r.get("totalResults") != float64(2) {
			t.Fatalf("directory users: %s", r.Raw)
		}
		e.h.Tx(func(tx provisioning.StoreTx) error {
			for _, email := range []string{"eve@acme.com", "bob@acme.com", "dan@acme.com"} {
				if _, err := tx.GetUserByEmail(e.h.Ctx, email); !provisioning.IsCode(err, provisioning.CodeNotFound) {
					t.Errorf("%s: a refused create left a user (%v)", email, err)
				}
			}
			return nil
		})
		e.h.CheckSeatCounter(e.org.Org.ID)
	})
}
