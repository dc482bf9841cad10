package scim_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/scim"
	"github.com/rollcall/rollcall/store/storetest"
)

// TestRecentActivity: every request that comes with one of the org's directory tokens lands
// in the org's recent activity, newest first, with method, redacted path (no query), status and
// an error's scimType; refused tokens and 429s included, requests without a token of the org
// not; never the token or the body. The counts say what the IdP pushed.
func TestRecentActivity(t *testing.T) {
	each(t, func(t *testing.T, b storetest.Backend) {
		e := newEnv(t, b, -1, scim.Options{RateLimitPerMinute: 6})
		owner := e.h.MemberActor(e.org.Owner.Membership)
		other := e.h.CreateOrg("other", -1, "owner@other.com")
		otherToken := e.newToken(other, "other")

		e.want(e.do("POST", "/Users", userBody("ann@acme.com")), 201, "create ann")
		e.wantError(e.do("POST", "/Users", userBody("ann@acme.com")), 409, "uniqueness", "ann again")
		e.want(e.do("GET", "/Users?filter="+url.QueryEscape(`userName eq "ann@acme.com"`), ""), 200, "find ann")
		e.want(e.do("POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Sales"}`), 201, "group")
		secretLike := "/Users/" + strings.Repeat("Zq9", 16)
		e.want(e.do("GET", secretLike, ""), 404, "an id that looks like a secret")
		e.want(e.doAs("", "GET", "/Users", ""), 401, "no token")
		e.want(e.doAs("scim_nope", "GET", "/Users", ""), 401, "a token nobody has")
		e.want(e.doAs(otherToken, "GET", "/Users", ""), 200, "the other org's directory")
		e.want(e.do("GET", "/Users", ""), 200, "sixth")
		e.want(e.do("GET", "/Users", ""), 429, "over the limit")

		toks, err := e.svc.ListTokens(e.h.Ctx, owner, e.org.Org.ID)
		if err != nil {
			t.Fatal(err)
		}
		old := e.token
		if err := e.svc.RevokeToken(e.h.Ctx, owner, e.org.Org.ID, toks[0].ID); err != nil {
			t.Fatal(err)
		}
		e.want(e.doAs(old, "GET", "/Groups", ""), 401, "the revoked token")

		act, err := e.svc.Activity(e.h.Ctx, owner, e.org.Org.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := []struct {
			method, path string
			status       int
			scimType     string
		}{
			{"GET", "/Groups", 401, ""},
			{"GET", "/Users", 429, ""},
			{"GET", "/Users", 200, ""},
			{"GET", "/Users/[redacted]", 404, ""},
			{"POST", "/Groups", 201, ""},
			{"GET", "/Users", 200, ""},
			{"POST", "/Users", 409, "uniqueness"},
			{"POST", "/Users", 201, ""},
		}
		if len(act.Requests) != len(want) || act.Total != int64(len(want)) {
			t.Fatalf("%d requests (total %d), want %d: %+v", len(act.Requests), act.Total, len(want), act.Requests)
		}
		for i, w := range want {
			r := act.Requests[i]
			if r.Method != w.method || r.Path != w.path || r.Status != w.status || r.SCIMType != w.scimType ||
				r.TokenID != toks[0].ID || r.Seq != int64(len(want)-i) || r.At.IsZero() {
				t.Errorf("request %d: %+v, want %+v", i, r, w)
			}
			if strings.Contains(r.Path, "Zq9Zq9") || strings.Contains(r.Path, "ann@") || strings.Contains(r.Path, old) {
				t.Errorf("request %d keeps what it must not: %+v", i, r)
			}
		}
		if act.Users != 1 || act.ActiveUsers != 1 || act.Groups != 1 {
			t.Fatalf("counts: %+v", act)
		}
		if o, err := e.svc.Activity(e.h.Ctx, e.h.MemberActor(other.Owner.Membership), other.Org.ID); err != nil || len(o.Requests) != 1 || o.Users != 0 {
			t.Fatalf("the other org's activity: %+v %v", o, err)
		}

		bob := e.h.MustJoin(e.org.Org.ID, "bob@acme.com", provisioning.EntranceManual, provisioning.RoleMember)
		_, err = e.svc.Activity(e.h.Ctx, e.h.MemberActor(bob.Membership), e.org.Org.ID)
		storetest.WantCode(t, err, provisioning.CodeForbidden)
		_, err = e.svc.Activity(e.h.Ctx, e.h.MemberActor(other.Owner.Membership), e.org.Org.ID)
		if err == nil {
			t.Fatal("another org's owner read the activity")
		}
	})
}
