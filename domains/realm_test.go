package domains_test

import (
	"context"
	"testing"

	"github.com/rollcall/rollcall/domains"
	"github.com/rollcall/rollcall/provisioning"
)

// ssoOrgs is a ConnectionChecker answering from a set of org ids.
type ssoOrgs map[string]bool

func (s ssoOrgs) HasSSO(_ context.Context, orgID string) (bool, error) { return s[orgID], nil }

func TestDiscover(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		e.verified("acme.com", false)
		e.add(e.owner, e.acme.Org.ID, "pending.com", false)

		// Without a connection checker nothing routes to SSO.
		if r, err := e.svc.Discover(e.h.Ctx, "ann@acme.com"); err != nil || r != (domains.Realm{}) {
			t.Fatalf("no checker: %+v %v", r, err)
		}
		withSSO := e.service(domains.Options{ResolverAddr: e.dns.Addr, Connections: ssoOrgs{e.acme.Org.ID: true}, SSOStartPath: "/sso/start"})
		r, err := withSSO.Discover(e.h.Ctx, " Ann@Acme.COM ")
		if err != nil || !r.SSO || r.Org != "acme" || r.StartURL != "/sso/start?org=acme" {
			t.Fatalf("sso org: %+v %v", r, err)
		}
		for _, email := range []string{"ann@pending.com", "ann@other.com"} {
			if r, err := withSSO.Discover(e.h.Ctx, email); err != nil || r != (domains.Realm{}) {
				t.Fatalf("%s: %+v %v", email, r, err)
			}
		}
		noSSO := e.service(domains.Options{ResolverAddr: e.dns.Addr, Connections: ssoOrgs{}})
		if r, err := noSSO.Discover(e.h.Ctx, "ann@acme.com"); err != nil || r != (domains.Realm{}) {
			t.Fatalf("verified domain, org without SSO: %+v %v", r, err)
		}
		_, err = withSSO.Discover(e.h.Ctx, "not an email")
		wantCode(t, err, provisioning.CodeInvalid)

		if org, err := e.svc.FindOrgByEmail(e.h.Ctx, "ann@acme.com"); err != nil || org != e.acme.Org.ID {
			t.Fatalf("find: %q %v", org, err)
		}
		_, err = e.svc.FindOrgByEmail(e.h.Ctx, "ann@pending.com")
		wantCode(t, err, provisioning.CodeNotFound)
		for email, want := range map[string]bool{"ann@acme.com": true, "ann@pending.com": false, "bad": false} {
			if got, err := e.svc.VerifiedFor(e.h.Ctx, e.acme.Org.ID, email); err != nil || got != want {
				t.Fatalf("VerifiedFor(%s) = %v %v", email, got, err)
			}
		}
		if got, _ := e.svc.VerifiedFor(e.h.Ctx, "other-org", "ann@acme.com"); got {
			t.Fatal("VerifiedFor another org")
		}
	})
}
