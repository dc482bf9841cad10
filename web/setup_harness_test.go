package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rollcall/rollcall/domains"
	"github.com/rollcall/rollcall/domains/dnstest"
	"github.com/rollcall/rollcall/invites"
	"github.com/rollcall/rollcall/scim"
	"github.com/rollcall/rollcall/sso"
	"github.com/rollcall/rollcall/store/storetest"
	"github.com/rollcall/rollcall/web"
)

// publicURL is the external URL the setup env's pages give to copy.
const publicURL = "https://rollcall.example.com"

// setupEnv is the console with its setup services: domains verified against a DNS server on
// loopback, the SCIM directory (served at /scim/v2 on the same server) and SSO.
type setupEnv struct {
	*env
	dns *dnstest.Server
	dom *domains.Service
	dir *scim.Service
	sso *sso.Service
}

func newSetupEnv(t *testing.T) *setupEnv {
	t.Helper()
	h := storetest.NewHarness(t, storetest.OpenSQLite(t))
	e := &setupEnv{env: &env{t: t, h: h, inv: invites.NewService(h.Service, invites.Options{PublicURL: publicURL})}, dns: dnstest.Start(t)}
	e.org = h.CreateOrg("acme", 5, "alice@acme.com")
	var err error
	if e.dom, err = domains.New(h.Service, domains.Options{ResolverAddr: e.dns.Addr, LookupTimeout: 2 * time.Second}); err != nil {
		t.Fatal(err)
	}
	if e.sso, err = sso.New(h.Service, sso.Options{BaseURL: publicURL, AllowPrivateFetch: true}); err != nil {
		t.Fatal(err)
	}
	e.dir = scim.New(h.Service, scim.Options{RateLimitPerMinute: -1})
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", scim.NewHandler(e.dir)))
	mux.Handle("/", web.Handler(web.Options{Service: h.Service, Invites: e.inv, Domains: e.dom, Directory: e.dir, SSO: e.sso, PublicURL: publicURL}))
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	return e
}

// scimRequest sends one SCIM request with a directory token and returns the status.
func (e *setupEnv) scimRequest(token, method, path, body string) int {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.srv.URL+"/scim/v2"+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// location is where a form's redirect leads, failing the test when it does not redirect.
func location(t *testing.T, res *http.Response) string {
	t.Helper()
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d, want a redirect", res.StatusCode)
	}
	return res.Header.Get("Location")
}

// submatch is the first group of re in body, failing the test when it does not match.
func submatch(t *testing.T, re, body string) string {
	t.Helper()
	m := regexp.MustCompile(re).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s in:\n%s", re, body)
	}
	return m[1]
}

// form is url.Values from pairs.
func form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

// readBody reads and closes a response's body.
func readBody(t *testing.T, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// domainInput is a domain claim without auto-join.
func domainInput(name string) domains.AddInput { return domains.AddInput{Name: name} }
