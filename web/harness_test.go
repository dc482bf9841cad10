package web_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/rollcall/rollcall/invites"
	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/seats"
	"github.com/rollcall/rollcall/session"
	"github.com/rollcall/rollcall/store/storetest"
	"github.com/rollcall/rollcall/web"
)

// env is the console over a SQLite core with an org "acme" (owner alice@acme.com, 5 seats).
type env struct {
	t   *testing.T
	h   *storetest.Harness
	inv *invites.Service
	srv *httptest.Server
	org provisioning.OrgWithOwner
}

func newEnv(t *testing.T) *env { return newEnvWithOptions(t, invites.Options{}) }

// newEnvWithQuota is newEnv with the business plan's invitation quota set to q.
func newEnvWithQuota(t *testing.T, q invites.Quota) *env {
	return newEnvWithOptions(t, invites.Options{Quotas: map[seats.Plan]invites.Quota{seats.PlanBusiness: q}})
}

func newEnvWithOptions(t *testing.T, o invites.Options) *env {
	t.Helper()
	h := storetest.NewHarness(t, storetest.OpenSQLite(t))
	e := &env{t: t, h: h, inv: invites.NewService(h.Service, o)}
	e.org = h.CreateOrg("acme", 5, "alice@acme.com")
	e.srv = httptest.NewServer(web.Handler(web.Options{Service: h.Service, Invites: e.inv, SSOStartPath: "/sso/start"}))
	t.Cleanup(e.srv.Close)
	return e
}

// join adds email to acme with role and returns the membership.
func (e *env) join(email string, role provisioning.Role) provisioning.Membership {
	e.t.Helper()
	return e.h.MustJoin(e.org.Org.ID, email, provisioning.EntranceManual, role).Membership
}

// person is a browser signed in as one user: a cookie jar holding their session.
type person struct {
	e      *env
	c      *http.Client
	secret string
}

// as signs userID in (a session straight from the core) and returns their browser.
func (e *env) as(userID string) *person {
	e.t.Helper()
	var secret string
	e.h.Tx(func(tx provisioning.StoreTx) error {
		var err error
		secret, _, err = e.h.Service.StartSession(e.h.Ctx, provisioning.Wrap(tx), userID, "")
		return err
	})
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(e.srv.URL)
	jar.SetCookies(u, []*http.Cookie{{Name: session.CookieName, Value: secret, Path: "/"}})
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &person{e: e, c: c, secret: secret}
}

func (e *env) owner() *person { return e.as(e.org.Owner.UserID) }

// get fetches a path and returns the status and body.
func (p *person) get(path string) (int, string) {
	p.e.t.Helper()
	res, err := p.c.Get(p.e.srv.URL + path)
	if err != nil {
		p.e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

var csrfValue = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// token reads the form token from one of the person's pages.
func (p *person) token() string {
	p.e.t.Helper()
	_, body := p.get("/console/acme/about")
	m := csrfValue.FindStringSubmatch(body)
	if m == nil {
		// The about page of a member carries no form; the tokens page does.
		_, body = p.get("/console/acme/tokens")
		m = csrfValue.FindStringSubmatch(body)
	}
	if m == nil {
		p.e.t.Fatalf("no form token on the person's pages:\n%s", body)
	}
	return m[1]
}

// post sends a form with the person's token and returns the response (redirects not followed).
func (p *person) post(path string, form url.Values) *http.Response {
	p.e.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("csrf") == "" {
		form.Set("csrf", p.token())
	}
	res, err := p.c.PostForm(p.e.srv.URL+path, form)
	if err != nil {
		p.e.t.Fatal(err)
	}
	return res
}

// postFollow posts and follows a redirect to the page it names, returning that page.
func (p *person) postFollow(path string, form url.Values) (int, string) {
	p.e.t.Helper()
	res := p.post(path, form)
	defer res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	return p.get(res.Header.Get("Location"))
}

func mustContain(t *testing.T, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q:\n%s", w, body)
		}
	}
}

func mustNotContain(t *testing.T, body string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(body, w) {
			t.Errorf("page has %q:\n%s", w, body)
		}
	}
}
