package scim_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/scim"
	"github.com/rollcall/rollcall/store/storetest"
)

// counts is what a refused request must leave unchanged.
func (e *env) counts() (users, groups, audit int) {
	e.t.Helper()
	r := e.do("GET", "/Users?count=0", "")
	users = int(r.get("totalResults").(float64))
	r = e.do("GET", "/Groups?count=0", "")
	groups = int(r.get("totalResults").(float64))
	e.h.Tx(func(tx provisioning.StoreTx) error {
		ev, err := tx.ListAudit(e.h.Ctx, provisioning.AuditQuery{OrgID: e.org.Org.ID, Limit: 1000})
		audit = len(ev)
		return err
	})
	return users, groups, audit
}

// TestBadInput: malformed JSON, unknown schemas, bad filters, invalid PATCH paths and values,
// oversize bodies and unknown routes each get the right SCIM error, and nothing is written.
func TestBadInput(t *testing.T) {
	each(t, func(t *testing.T, b storetest.Backend) {
		e := newEnv(t, b, -1, scim.Options{MaxBodyBytes: 4096})
		uid := e.want(e.do("POST", "/Users", userBody("ann@acme.com")), 201, "user").str("id")
		gid := e.want(e.do("POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"G","members":[{"value":"`+uid+`"}]}`), 201, "group").str("id")
		u0, g0, a0 := e.counts()
		big := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"big@acme.com","x":"` + strings.Repeat("a", 5000) + `"}`
		cases := []struct {
			method, path, body string
			status             int
			scimType           string
		}{
			{"POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":`, 400, "invalidSyntax"},
			{"POST", "/Users", `[1,2]`, 400, "invalidSyntax"},
			{"POST", "/Users", `{"schemas":["urn:example:bogus"],"userName":"x@acme.com"}`, 400, "invalidSyntax"},
			{"POST", "/Users", `{"userName":"x@acme.com"}`, 400, "invalidSyntax"},
			{"POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"x"}`, 400, "invalidSyntax"},
			{"POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"not an email"}`, 400, "invalidValue"},
			{"POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"x@acme.com","active":"maybe"}`, 400, "invalidValue"},
			{"POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ANN@acme.com"}`, 409, "uniqueness"},
			{"POST", "/Users", big, 413, ""},
			{"POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"]}`, 400, "invalidValue"},
			{"PATCH", "/Users/" + uid, patchOp + `[{"op":"replace","path":"nosuch","value":1}]}`, 400, "invalidPath"},
			{"PATCH", "/Users/" + uid, patchOp + `[{"op":"replace","path":"emails[type eq","value":1}]}`, 400, "invalidPath"},
			{"PATCH", "/Users/" + uid, patchOp + `[{"op":"replace","path":"active","value":"maybe"}]}`, 400, "invalidValue"},
			{"PATCH", "/Users/" + uid, patchOp + `[{"op":"frobnicate","path":"active","value":true}]}`, 400, "invalidValue"},
			{"PATCH", "/Users/" + uid, `{"schemas":["urn:bogus"],"Operations":[{"op":"replace","path":"active","value":false}]}`, 400, "invalidValue"},
			{"PATCH", "/Users/" + uid, patchOp + `[{"op":"replace","path":"active","value":false},{"op":"replace","path":"nosuch","value":1}]}`, 400, "invalidPath"},
			{"PATCH", "/Groups/" + gid, patchOp + `[{"op":"add","path":"members[value eq \"x\"]","value":[{"value":"y"}]}]}`, 400, "invalidPath"},
			{"PATCH", "/Groups/" + gid, patchOp + `[{"op":"add","path":"members","value":[{"display":"no value"}]}]}`, 400, "invalidValue"},
			{"PUT", "/Users/" + uid, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"]}`, 400, "invalidValue"},
			{"GET", "/Users?filter=" + url.QueryEscape(`userName eq`), "", 400, "invalidFilter"},
			{"GET", "/Users?filter=" + url.QueryEscape(`nickName eq "x"`), "", 400, "invalidFilter"},
			{"GET", "/Users?filter=" + url.QueryEscape(`userName gt "x"`), "", 400, "invalidFilter"},
			{"GET", "/Users?filter=" + url.QueryEscape(`meta.lastModified gt "yesterday"`), "", 400, "invalidFilter"},
			{"GET", "/Groups?filter=" + url.QueryEscape(`userName eq "x"`), "", 400, "invalidFilter"},
			{"GET", "/Users?count=abc", "", 400, ""},
			{"GET", "/Nope", "", 404, ""},
			{"GET", "/Users/" + uid + "x", "", 404, ""},
			{"DELETE", "/Users", "", 404, ""},
			{"PUT", "/Users/" + uid, userBody("ann@acme.com"), 200, ""},
		}
		for _, c := range cases[:len(cases)-1] {
			e.wantError(e.do(c.method, c.path, c.body), c.status, c.scimType, c.method+" "+c.path+" "+c.body[:min(len(c.body), 120)])
		}
		if u, g, a := e.counts(); u != u0 || g != g0 || a != a0 {
			t.Fatalf("refused requests wrote: users %d→%d groups %d→%d audit %d→%d", u0, u, g0, g, a0, a)
		}
		if m := e.member("ann@acme.com"); m.Status != provisioning.StatusActive {
			t.Fatalf("a refused multi-operation PATCH must not apply its first operation: %+v", m)
		}
		r := e.want(e.do("GET", "/Groups/"+gid, ""), 200, "group intact")
		if list, _ := r.get("members").([]any); len(list) != 1 {
			t.Fatalf("group changed: %s", r.Raw)
		}
		e.want(e.do("PUT", "/Users/"+uid, userBody("ann@acme.com")), 200, "If-Match absent")
		r = e.do("GET", "/Users/"+uid, "")
		req := r.str("meta.version")
		e.wantError(e.doIfMatch("PATCH", "/Users/"+uid, patchOp+`[{"op":"replace","path":"displayName","value":"A"}]}`, `W/"999"`), 412, "", "stale If-Match")
		e.want(e.doIfMatch("PATCH", "/Users/"+uid, patchOp+`[{"op":"replace","path":"displayName","value":"A"}]}`, req), 200, "current If-Match")
	})
}

// TestRateLimit: past the per-directory limit requests get 429 with Retry-After; the count lives
// in the database, so a second service over the same store (another instance) shares it.
func TestRateLimit(t *testing.T) {
	each(t, func(t *testing.T, b storetest.Backend) {
		e := newEnv(t, b, -1, scim.Options{RateLimitPerMinute: 5})
		other := scim.New(e.h.Service, scim.Options{RateLimitPerMinute: 5})
		for i := range 5 {
			if i == 2 {
				_, retry, err := scim.Authenticate(other, e.h.Ctx, e.token)
				if err != nil || retry != 0 {
					t.Fatalf("second instance: %v %v", retry, err)
				}
				continue
			}
			e.want(e.do("GET", "/Users", ""), 200, "within the limit")
		}
		r := e.do("GET", "/Users", "")
		e.wantError(r, 429, "", "over the limit")
		if r.Header.Get("Retry-After") == "" {
			t.Fatal("429 without Retry-After")
		}
		e.h.Clock.Advance(61_000_000_000)
		e.want(e.do("GET", "/Users", ""), 200, "next window")
	})
}

// TestOneDirectoryUserPerPerson: two SCIM users that resolve to one person (a userName that is
// not an email with that person's email, then the email as userName) would share one membership;
// the second is refused as not unique.
func TestOneDirectoryUserPerPerson(t *testing.T) {
	each(t, func(t *testing.T, b storetest.Backend) {
		e := newEnv(t, b, -1, scim.Options{})
		e.want(e.do("POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ann",
			"emails":[{"value":"ann@contoso.com","primary":true}]}`), 201, "create by UPN-like name")
		e.wantError(e.do("POST", "/Users", userBody("ann@contoso.com")), 409, "uniqueness", "the same person again")
		if r := e.do("GET", "/Users", ""); r.get("totalResults") != float64(1) {
			t.Fatalf("directory users: %s", r.Raw)
		}
	})
}
