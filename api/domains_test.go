package api_test

import (
	"context"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/rollcall/rollcall/api"
	"github.com/rollcall/rollcall/domains"
	"github.com/rollcall/rollcall/domains/dnstest"
	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/store/storetest"
)

type ssoSet map[string]bool

func (s ssoSet) HasSSO(_ context.Context, orgID string) (bool, error) { return s[orgID], nil }

// domainEnv is the API with the domains service, verifying against a loopback DNS server.
func domainEnv(t *testing.T, b storetest.Backend, sso ssoSet) (*env, *dnstest.Server, *domains.Service) {
	t.Helper()
	h := storetest.NewHarness(t, b.Open(t))
	srv := dnstest.Start(t)
	dom, err := domains.New(h.Service, domains.Options{ResolverAddr: srv.Addr, Connections: sso})
	if err != nil {
		t.Fatal(err)
	}
	mux := chi.NewRouter()
	mux.Mount("/api/v1", api.New(api.Options{Service: h.Service, Domains: dom}))
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	key, _, err := h.Service.EnsureOperatorKey(context.Background(), "test-operator-key-0123456789")
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, h: h, srv: hs, op: key}, srv, dom
}

func domainOf(r response) map[string]any {
	d, _ := r.Body["domain"].(map[string]any)
	return d
}

func TestDomainsAPI(t *testing.T) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			sso := ssoSet{}
			e, dns, dom := domainEnv(t, b, sso)
			f := e.fixture(10)
			owner, admin, member := f.tokens["owner"], f.tokens["admin"], f.tokens["member"]
			base := "/orgs/" + f.slug + "/domains"

			for _, c := range []struct {
				token, body string
				status      int
				code, says  string
			}{
				{member, `{"name":"acme.com"}`, 403, "forbidden", "owners and admins"},
				{"", `{"name":"acme.com"}`, 401, "unauthorized", ""},
				{admin, `{"name":"gmail.com"}`, 400, "invalid", "public email provider"},
				{admin, `{"name":"https://acme.com/x"}`, 400, "invalid", "not a domain name"},
				{admin, `{"name":"` + strings.Repeat("a", 260) + `.com"}`, 400, "invalid", "longer than 253"},
				{admin, `{"name":"acme.com","role":"owner"}`, 400, "invalid", "never make someone an owner"},
				{admin, `{"name":"acme.com","role":"admin"}`, 403, "forbidden", "only owners"},
				{admin, `{"name":"acme.com","extra":1}`, 400, "invalid", "unknown field"},
				{admin, `{"name":5}`, 400, "invalid", "must be a string"},
			} {
				res := e.do(c.token, "POST", base, c.body)
				if res.Status != c.status || res.errCode() != c.code || !strings.Contains(res.errMessage(), c.says) {
					t.Errorf("POST %s: %d %s", c.body, res.Status, res.Raw)
				}
			}
			res := e.do(admin, "POST", base, map[string]any{"name": "Acme.COM", "autoJoin": true})
			d := domainOf(res)
			rec, _ := d["record"].(map[string]any)
			if res.Status != 201 || d["name"] != "acme.com" || d["state"] != "unverified" || d["autoJoin"] != true ||
				d["role"] != "member" || rec["name"] != "_rollcall.acme.com" || d["token"] != nil {
				t.Fatalf("add: %d %s", res.Status, res.Raw)
			}
			if res := e.do(admin, "POST", base, map[string]any{"name": "acme.com"}); res.Status != 409 || !strings.Contains(res.errMessage(), "already added") {
				t.Fatalf("duplicate: %d %s", res.Status, res.Raw)
			}
			if res := e.do(member, "GET", base, nil); res.Status != 403 {
				t.Fatalf("members cannot list: %d", res.Status)
			}
			if res := e.do(admin, "GET", base, nil); res.Status != 200 || len(res.Body["domains"].([]any)) != 1 {
				t.Fatalf("list: %d %s", res.Status, res.Raw)
			}

			// Not verified yet: the record is missing.
			res = e.do(admin, "POST", base+"/acme.com/verify", nil)
			if d := domainOf(res); res.Status != 200 || d["state"] != "unverified" || !strings.Contains(d["reason"].(string), "NXDOMAIN") {
				t.Fatalf("verify without record: %d %s", res.Status, res.Raw)
			}
			// Auto-join does nothing while unverified.
			if err := dom.OnSignIn(e.h.Ctx, provisioning.User{Email: "early@acme.com", EmailVerified: true}); err != nil {
				t.Fatal(err)
			}
			dns.SetTXT(rec["name"].(string), rec["value"].(string))
			res = e.do(admin, "POST", base+"/ACME.com/verify", nil)
			if d := domainOf(res); res.Status != 200 || d["state"] != "verified" || d["verifiedAt"] == nil {
				t.Fatalf("verify: %d %s", res.Status, res.Raw)
			}

			// PATCH: role rules and auto-join.
			if res := e.do(admin, "PATCH", base+"/acme.com", `{"role":"admin"}`); res.Status != 403 {
				t.Fatalf("admins cannot grant admin: %d %s", res.Status, res.Raw)
			}
			if res := e.do(owner, "PATCH", base+"/acme.com", `{"role":"owner"}`); res.Status != 400 {
				t.Fatalf("owner join role: %d %s", res.Status, res.Raw)
			}
			if res := e.do(admin, "PATCH", base+"/acme.com", `{"role":"viewer","autoJoin":true}`); res.Status != 200 || domainOf(res)["role"] != "viewer" {
				t.Fatalf("patch: %d %s", res.Status, res.Raw)
			}

			// A verified sign-in joins, as a viewer now; an unverified one does not.
			if err := dom.OnSignIn(e.h.Ctx, provisioning.User{Email: "new@acme.com", EmailVerified: true}); err != nil {
				t.Fatal(err)
			}
			if err := dom.OnSignIn(e.h.Ctx, provisioning.User{Email: "unproven@acme.com"}); err != nil {
				t.Fatal(err)
			}
			list := e.do(admin, "GET", "/orgs/"+f.slug+"/members?q=acme.com", nil)
			if !strings.Contains(string(list.Raw), "new@acme.com") || strings.Contains(string(list.Raw), "unproven@acme.com") ||
				strings.Contains(string(list.Raw), "early@acme.com") {
				t.Fatalf("members: %s", list.Raw)
			}

			// Home-realm discovery: public, minimal.
			realm := func(email string) response { return e.do("", "GET", "/realm?email="+url.QueryEscape(email), nil) }
			if res := realm("ann@acme.com"); res.Status != 200 || strings.TrimSpace(string(res.Raw)) != "{\n  \"sso\": false\n}" {
				t.Fatalf("realm without SSO: %d %s", res.Status, res.Raw)
			}
			sso[f.org] = true
			if res := realm("Ann@Acme.com"); res.Status != 200 || res.Body["sso"] != true || res.Body["org"] != f.slug ||
				res.Body["startUrl"] != "/sso/start?org="+f.slug || len(res.Body) != 3 {
				t.Fatalf("realm with SSO: %d %s", res.Status, res.Raw)
			}
			if res := realm("ann@elsewhere.com"); res.Status != 200 || len(res.Body) != 1 || res.Body["sso"] != false {
				t.Fatalf("realm unknown: %d %s", res.Status, res.Raw)
			}
			if res := realm("nope"); res.Status != 400 {
				t.Fatalf("realm bad email: %d %s", res.Status, res.Raw)
			}
			if res := e.do("", "GET", "/realm", nil); res.Status != 400 {
				t.Fatalf("realm without email: %d %s", res.Status, res.Raw)
			}

			if res := e.do(admin, "GET", base+"/other.com", nil); res.Status != 404 {
				t.Fatalf("unknown domain: %d", res.Status)
			}
			if res := e.do(admin, "DELETE", base+"/acme.com", nil); res.Status != 204 {
				t.Fatalf("delete: %d %s", res.Status, res.Raw)
			}
			if res := realm("ann@acme.com"); res.Body["sso"] != false {
				t.Fatalf("realm after removal: %s", res.Raw)
			}
			audit := e.do(owner, "GET", "/orgs/"+f.slug+"/audit", nil)
			for _, action := range []string{"domain.added", "domain.verified", "domain.settings_changed", "domain.removed"} {
				if !strings.Contains(string(audit.Raw), action) {
					t.Errorf("audit lacks %s", action)
				}
			}
		})
	}
}

func TestDomainsUnicodeInPath(t *testing.T) {
	e, _, _ := domainEnv(t, storetest.Backends()[0], nil)
	f := e.fixture(10)
	base := "/orgs/" + f.slug + "/domains"
	if res := e.do(f.tokens["owner"], "POST", base, `{"name":"bücher.de"}`); res.Status != 201 ||
		domainOf(res)["name"] != "xn--bcher-kva.de" || domainOf(res)["displayName"] != "bücher.de" {
		t.Fatalf("add: %d %s", res.Status, res.Raw)
	}
	if res := e.do(f.tokens["owner"], "GET", base+"/"+url.PathEscape("bücher.de"), nil); res.Status != 200 {
		t.Fatalf("get by unicode name: %d %s", res.Status, res.Raw)
	}
	if res := e.do(f.tokens["owner"], "GET", "/openapi.json", nil); !strings.Contains(string(res.Raw), "/orgs/{org}/domains/{domain}/verify") ||
		!strings.Contains(string(res.Raw), `"/realm"`) {
		t.Fatal("domains routes missing from openapi.json")
	}
}
