package scim_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

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

// TestReadsCheckTokenInTheirTransaction: the reads of users and groups check their token in
// the transaction that reads: every one of them answers a wrong token 401 with
// WWW-Authenticate, a token whose creator no longer administers the org 401, and a read over
// the rate limit 429 with Retry-After; the next minute they answer again.
func TestReadsCheckTokenInTheirTransaction(t *testing.T) {
	each(t, func(t *testing.T, b storetest.Backend) {
		e := newEnv(t, b, -1, scim.Options{RateLimitPerMinute: 6})
		uid := e.want(e.do("POST", "/Users", userBody("ann@acme.com")), 201, "user").str("id")
		gid := e.want(e.do("POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Team"}`), 201, "group").str("id")
		reads := []string{"/Users", "/Users?count=0", "/Users?filter=userName%20eq%20%22ann@acme.com%22", "/Users/" + uid,
			"/Groups", "/Groups/" + gid, "/Groups/" + gid + "?excludedAttributes=members"}
		e.wantGetsRefusedToken(reads)
		e.want(e.do("GET", "/Users/"+uid, ""), 200, "the third request of the minute")
		for range 3 {
			e.want(e.do("GET", "/Groups", ""), 200, "within the limit")
		}
		e.wantGetsRateLimited(reads)
		e.h.Clock.Advance(61 * time.Second)
		if r := e.want(e.do("GET", "/Users/"+uid, ""), 200, "the next minute"); r.str("userName") != "ann@acme.com" {
			t.Fatalf("user: %s", r.Raw)
		}

		owner := e.h.MemberActor(e.org.Owner.Membership)
		admin := e.h.MustJoin(e.org.Org.ID, "admin@acme.com", provisioning.EntranceManual, provisioning.RoleAdmin).Membership
		tok, err := e.svc.CreateToken(e.h.Ctx, e.h.MemberActor(admin), e.org.Org.ID, "admin's")
		if err != nil {
			t.Fatal(err)
		}
		e.want(e.doAs(tok.Secret, "GET", "/Users/"+uid, ""), 200, "an admin's token")
		if _, err := e.h.Service.ChangeRole(e.h.Ctx, owner, e.org.Org.ID, admin.ID, provisioning.RoleMember); err != nil {
			t.Fatal(err)
		}
		for _, path := range reads {
			e.wantError(e.doAs(tok.Secret, "GET", path, ""), 401, "", "a demoted admin's token: GET "+path)
		}
	})
}

// TestUserWritesCheckTokenInTheirTransaction: a PUT, PATCH or DELETE of a user checks its
// token and the rate limit in the transaction that writes: a wrong token gets 401 with
// WWW-Authenticate, a token whose creator no longer administers the org 401, a write over the
// limit 429 with Retry-After, and none of them changes the user; the next minute they write.
func TestUserWritesCheckTokenInTheirTransaction(t *testing.T) {
	each(t, func(t *testing.T, b storetest.Backend) {
		e := newEnv(t, b, -1, scim.Options{RateLimitPerMinute: 4})
		uid := e.want(e.do("POST", "/Users", userBody("ann@acme.com")), 201, "user").str("id")
		path := "/Users/" + uid
		writes := []struct{ method, body string }{
			{"PUT", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ann@acme.com","displayName":"Changed","active":true}`},
			{"PATCH", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`},
			{"DELETE", ""},
		}
		unchanged := func(what string) {
			t.Helper()
			if r := e.want(e.do("GET", path, ""), 200, what); r.get("active") != true || r.get("displayName") != nil {
				t.Fatalf("%s: the user changed: %s", what, r.Raw)
			}
		}
		for _, w := range writes {
			r := e.doAs("scim_wrong", w.method, path, w.body)
			e.wantError(r, 401, "", "a token nobody has: "+w.method)
			if h := r.Header.Get("WWW-Authenticate"); !strings.Contains(h, "invalid_token") {
				t.Fatalf("%s: WWW-Authenticate %q", w.method, h)
			}
		}
		unchanged("after the wrong tokens") // the second request of the minute
		e.want(e.do("GET", "/Users", ""), 200, "the third")
		e.want(e.do("GET", "/Users", ""), 200, "the fourth")
		for _, w := range writes {
			r := e.do(w.method, path, w.body)
			e.wantError(r, 429, "", "over the limit: "+w.method)
			if r.Header.Get("Retry-After") == "" {
				t.Fatalf("%s: 429 without Retry-After", w.method)
			}
		}
		e.h.Clock.Advance(61 * time.Second)
		unchanged("after the refused writes")

		owner := e.h.MemberActor(e.org.Owner.Membership)
		admin := e.h.MustJoin(e.org.Org.ID, "admin@acme.com", provisioning.EntranceManual, provisioning.RoleAdmin).Membership
		tok, err := e.svc.CreateToken(e.h.Ctx, e.h.MemberActor(admin), e.org.Org.ID, "admin's")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.h.Service.ChangeRole(e.h.Ctx, owner, e.org.Org.ID, admin.ID, provisioning.RoleMember); err != nil {
			t.Fatal(err)
		}
		for _, w := range writes {
			e.wantError(e.doAs(tok.Secret, w.method, path, w.body), 401, "", "a demoted admin's token: "+w.method)
		}
		e.h.Clock.Advance(61 * time.Second)
		unchanged("after the demoted admin's writes")
		if r := e.want(e.do("PUT", path, writes[0].body), 200, "replace"); r.str("displayName") != "Changed" {
			t.Fatalf("replace: %s", r.Raw)
		}
		if r := e.want(e.do("PATCH", path, writes[1].body), 200, "deactivate"); r.get("active") != false {
			t.Fatalf("patch: %s", r.Raw)
		}
		e.want(e.do("DELETE", path, ""), 204, "delete") // the fourth request of the minute
		e.h.Clock.Advance(61 * time.Second)
		e.wantError(e.do("GET", path, ""), 404, "", "the deleted user")
		e.h.CheckSeatCounter(e.org.Org.ID)
	})
}

// TestGroupWritesCheckTokenInTheirTransaction: the writes of groups answer a wrong token 401
// with WWW-Authenticate and a write over the rate limit 429 with Retry-After, changing
// nothing; a change in batches (more members than one batch) is checked and counted once.
func TestGroupWritesCheckTokenInTheirTransaction(t *testing.T) {
	each(t, func(t *testing.T, b storetest.Backend) {
		e := newEnv(t, b, -1, scim.Options{RateLimitPerMinute: 10, MemberBatch: 2})
		var uids []string
		for _, email := range []string{"a@acme.com", "b@acme.com", "c@acme.com", "d@acme.com", "e@acme.com"} {
			uids = append(uids, e.want(e.do("POST", "/Users", userBody(email)), 201, "user").str("id"))
		}
		gid := e.want(e.do("POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Team"}`), 201, "group").str("id")
		members := `[{"value":"` + strings.Join(uids, `"},{"value":"`) + `"}]`
		writes := []struct{ method, path, body string }{
			{"POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Other"}`},
			{"PUT", "/Groups/" + gid, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Renamed"}`},
			{"PATCH", "/Groups/" + gid, patchOp + `[{"op":"add","path":"members","value":[{"value":"` + uids[0] + `"}]}]}`},
			{"PATCH", "/Groups/" + gid, patchOp + `[{"op":"add","path":"members","value":` + members + `}]}`}, // in batches
			{"DELETE", "/Groups/" + gid, ""},
		}
		unchanged := func(what string) {
			t.Helper()
			r := e.want(e.do("GET", "/Groups", ""), 200, what)
			if r.get("totalResults") != float64(1) || !strings.Contains(r.Raw, `"Team"`) || strings.Contains(r.Raw, uids[0]) {
				t.Fatalf("%s: the groups changed: %s", what, r.Raw)
			}
		}
		for _, w := range writes {
			r := e.doAs("scim_wrong", w.method, w.path, w.body)
			e.wantError(r, 401, "", "a token nobody has: "+w.method+" "+w.path)
			if h := r.Header.Get("WWW-Authenticate"); !strings.Contains(h, "invalid_token") {
				t.Fatalf("%s %s: WWW-Authenticate %q", w.method, w.path, h)
			}
		}
		e.h.Clock.Advance(61 * time.Second)
		unchanged("after the wrong tokens") // the first request of the minute
		e.want(e.do("PATCH", writes[3].path, writes[3].body), 204, "five members in three batches: the second request")
		for i := 3; i <= 10; i++ {
			e.want(e.do("GET", "/Groups/"+gid, ""), 200, fmt.Sprintf("request %d of the minute", i))
		}
		for _, w := range writes {
			r := e.do(w.method, w.path, w.body)
			e.wantError(r, 429, "", "over the limit: "+w.method+" "+w.path)
			if r.Header.Get("Retry-After") == "" {
				t.Fatalf("%s %s: 429 without Retry-After", w.method, w.path)
			}
		}
		e.h.Clock.Advance(61 * time.Second)
		if r := e.want(e.do("GET", "/Groups/"+gid, ""), 200, "the group"); r.get("displayName") != "Team" || r.get("members.4") == nil || r.get("members.5") != nil {
			t.Fatalf("after the refused writes: %s", r.Raw)
		}
		e.want(e.do("DELETE", "/Groups/"+gid, ""), 204, "delete")
		e.wantError(e.do("GET", "/Groups/"+gid, ""), 404, "", "the deleted group")
	})
}

// TestOtherRequestsCheckTokenFirst: a request outside the users' and groups' own transactions
// (discovery, .search) has its token and rate limit checked before it is served: 401 with
// WWW-Authenticate for a wrong token, 429 with Retry-After over the limit.
func TestOtherRequestsCheckTokenFirst(t *testing.T) {
	each(t, func(t *testing.T, b storetest.Backend) {
		e := newEnv(t, b, -1, scim.Options{RateLimitPerMinute: 2})
		paths := []string{"/ServiceProviderConfig", "/Schemas", "/ResourceTypes"}
		e.wantGetsRefusedToken(paths)
		e.want(e.do("GET", "/ServiceProviderConfig", ""), 200, "within the limit")
		e.want(e.do("GET", "/Schemas", ""), 200, "the last request of the minute")
		e.wantGetsRateLimited(paths)
		r := e.do("POST", "/Users/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"]}`)
		e.wantError(r, 429, "", "over the limit: POST /Users/.search")
		e.h.Clock.Advance(61 * time.Second)
		e.want(e.do("GET", "/ResourceTypes", ""), 200, "the next minute")
	})
}

// wantGetsRefusedToken GETs each path with a token nobody has and wants 401 with an
// invalid_token WWW-Authenticate.
func (e *env) wantGetsRefusedToken(paths []string) {
	e.t.Helper()
	for _, path := range paths {
		r := e.doAs("scim_wrong", "GET", path, "")
		e.wantError(r, 401, "", "a token nobody has: GET "+path)
		if h := r.Header.Get("WWW-Authenticate"); !strings.Contains(h, "invalid_token") {
			e.t.Fatalf("GET %s: WWW-Authenticate %q", path, h)
		}
	}
}

// wantGetsRateLimited GETs each path and wants 429 with Retry-After.
func (e *env) wantGetsRateLimited(paths []string) {
	e.t.Helper()
	for _, path := range paths {
		r := e.do("GET", path, "")
		e.wantError(r, 429, "", "over the limit: GET "+path)
		if r.Header.Get("Retry-After") == "" {
			e.t.Fatalf("GET %s: 429 without Retry-After", path)
		}
	}
}
