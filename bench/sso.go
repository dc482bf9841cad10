package main

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rollcall/rollcall/sso/ssotest"
)

// idpHost lets the test identity providers of sso/ssotest (written for tests) run in this
// program: they only ask for Helper, Cleanup and, on a broken setup, Fatal.
type idpHost struct {
	testing.TB
	cleanups []func()
}

func (h *idpHost) Helper()                   {}
func (h *idpHost) Cleanup(f func())          { h.cleanups = append(h.cleanups, f) }
func (h *idpHost) Fatal(args ...any)         { panic(fmt.Sprint(args...)) }
func (h *idpHost) Fatalf(f string, a ...any) { panic(fmt.Sprintf(f, a...)) }
func (h *idpHost) Errorf(f string, a ...any) { panic(fmt.Sprintf(f, a...)) }
func (h *idpHost) Logf(string, ...any)       {}
func (h *idpHost) Name() string              { return "bench" }
func (h *idpHost) close() {
	for i := len(h.cleanups) - 1; i >= 0; i-- {
		h.cleanups[i]()
	}
}

// ssoConnection is the part of a saved connection the sign-ins need.
type ssoConnection struct {
	ID        string `json:"id"`
	SignInURL string `json:"signInUrl"`
	SAML      *struct {
		MetadataURL string `json:"metadataUrl"`
	} `json:"saml"`
	OIDC *struct {
		RedirectURL string `json:"redirectUrl"`
	} `json:"oidc"`
}

func (r *run) connection(ctx context.Context, in map[string]any) (ssoConnection, error) {
	var out struct {
		Connection ssoConnection `json:"connection"`
	}
	err := r.c.call(ctx, "POST", "/api/v1/orgs/"+r.other.Slug+"/sso/connections", operatorKey, in, &out)
	return out.Connection, err
}

// jit signs new people in just in time through SAML and OIDC with the identity providers in
// this process, each sign-in in a fresh browser; it reports the time of the request Rollcall
// answers with the provisioning (the ACS POST, the OIDC callback), which for OIDC includes the
// code exchange with the provider.
func (r *run) jit(ctx context.Context) (err error) {
	host := &idpHost{}
	defer host.close()
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("identity provider: %v", p)
		}
	}()
	idp := ssotest.StartSAMLIdP(host, nil)
	saml, err := r.connection(ctx, map[string]any{"protocol": "saml", "name": "Bench SAML", "idpMetadataUrl": idp.URL + "/metadata"})
	if err != nil {
		return fmt.Errorf("saml connection: %w", err)
	}
	idp.Register(saml.ID, saml.SAML.MetadataURL)
	op := ssotest.StartOP(host, 0)
	oidc, err := r.connection(ctx, map[string]any{"protocol": "oidc", "name": "Bench OIDC", "issuer": op.Issuer,
		"clientId": ssotest.ClientID, "clientSecret": ssotest.ClientSecret, "scopes": []string{"email", "profile"}})
	if err != nil {
		return fmt.Errorf("oidc connection: %w", err)
	}
	op.Client(oidc.OIDC.RedirectURL)
	n := r.cfg.SignIns
	for i := range n {
		idp.SetUser(fmt.Sprintf("saml%d", i), fmt.Sprintf("saml%d@jit.example", i), "Saml", fmt.Sprint(i))
		op.SetUser(fmt.Sprintf("oidc%d", i), fmt.Sprintf("oidc%d", i), fmt.Sprintf("oidc%d@jit.example", i), "Oidc", fmt.Sprint(i))
	}
	samlSignIn := func(ctx context.Context, i int) (time.Duration, error) {
		b := newBrowser(r.srv.URL)
		idp.LogIn(b.c, fmt.Sprintf("saml%d", i))
		res, body, err := b.follow(ctx, "GET", saml.SignInURL, nil)
		if err != nil {
			return 0, err
		}
		action, fields := postForm(body)
		if fields.Get("SAMLResponse") == "" {
			return 0, fmt.Errorf("no SAMLResponse form at %s (%d)", res.Request.URL, res.StatusCode)
		}
		return b.timed(ctx, action, fields)
	}
	oidcSignIn := func(ctx context.Context, i int) (time.Duration, error) {
		b := newBrowser(r.srv.URL)
		res, _, err := b.follow(ctx, "GET", oidc.SignInURL, nil)
		if err != nil {
			return 0, err
		}
		id := res.Request.URL.Query().Get("authRequestID")
		if id == "" {
			return 0, fmt.Errorf("no OP login page at %s (%d)", res.Request.URL, res.StatusCode)
		}
		login := url.Values{"id": {id}, "username": {fmt.Sprintf("oidc%d", i)}, "password": {ssotest.Password}}
		return b.timedCallback(ctx, op.Issuer+"/login/username", login)
	}
	for _, s := range []struct {
		name string
		fn   func(context.Context, int) (time.Duration, error)
		who  string
	}{{"SAML JIT sign-in (ACS POST)", samlSignIn, "saml0@jit.example"}, {"OIDC JIT sign-in (callback)", oidcSignIn, "oidc0@jit.example"}} {
		var d []time.Duration
		errs, first := 0, ""
		start := time.Now()
		for i := range n {
			t, err := s.fn(ctx, i)
			if err != nil {
				errs++
				if first == "" {
					first = err.Error()
				}
				continue
			}
			d = append(d, t)
		}
		st := summarize(d, time.Since(start))
		st.Errors, st.FirstError = errs, first
		st.PerSecond = 0
		if t := sum(d); t > 0 {
			st.PerSecond = round(float64(len(d))/t.Seconds(), 1)
		}
		r.add(Row{Workload: s.name, Concurrency: 1, Stats: st, Note: "server-side request time of new people, one after the other; /s = 1 / mean of it"})
		if errs == 0 {
			if err := r.provisioned(ctx, s.who); err != nil {
				return fmt.Errorf("%s: %w", s.name, err)
			}
		}
	}
	return nil
}

// provisioned checks that a sign-in made email a member of the org.
func (r *run) provisioned(ctx context.Context, email string) error {
	var out struct {
		Members []struct {
			Email string `json:"email"`
		} `json:"members"`
	}
	if err := r.c.call(ctx, "GET", "/api/v1/orgs/"+r.other.Slug+"/members?q="+url.QueryEscape(email), operatorKey, nil, &out); err != nil {
		return err
	}
	for _, m := range out.Members {
		if m.Email == email {
			return nil
		}
	}
	return fmt.Errorf("%s signed in but is not a member", email)
}

// browser is a client with its own cookie jar that follows redirects by hand, so one hop can
// be timed.
type browser struct {
	c    *http.Client
	self string
	addr string
}

// browsers numbers the browsers, each of which comes from its own address.
var browsers atomic.Int64

// newBrowser is a fresh browser; Rollcall (which trusts loopback as its proxy) sees it at an
// address of its own in 10.0.0.0/8, as people signing in come from many networks: Rollcall's
// per-address limit on SSO requests would otherwise refuse the benchmark, not a flood.
func newBrowser(self string) *browser {
	jar, _ := cookiejar.New(nil)
	n := browsers.Add(1)
	return &browser{self: self, addr: fmt.Sprintf("10.%d.%d.%d", n>>16&255, n>>8&255, n&255), c: &http.Client{Jar: jar, Timeout: time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// follow sends a request and follows redirects; it returns the last response and its body.
func (b *browser) follow(ctx context.Context, method, target string, form url.Values) (*http.Response, string, error) {
	for hop := 0; hop < 10; hop++ {
		res, body, err := b.send(ctx, method, target, form)
		if err != nil {
			return nil, "", err
		}
		loc := res.Header.Get("Location")
		if res.StatusCode/100 != 3 || loc == "" {
			return res, body, nil
		}
		next, err := res.Request.URL.Parse(loc)
		if err != nil {
			return nil, "", err
		}
		method, target, form = "GET", next.String(), nil
	}
	return nil, "", errors.New("too many redirects")
}

func (b *browser) send(ctx context.Context, method, target string, form url.Values) (*http.Response, string, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, "", err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if strings.HasPrefix(target, b.self) {
		req.Header.Set("X-Forwarded-For", b.addr)
	}
	res, err := b.c.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	return res, string(raw), err
}

// timed posts form to Rollcall and returns how long Rollcall took; success is a redirect.
func (b *browser) timed(ctx context.Context, target string, form url.Values) (time.Duration, error) {
	t := time.Now()
	res, body, err := b.send(ctx, "POST", target, form)
	d := time.Since(t)
	if err != nil {
		return 0, err
	}
	if res.StatusCode/100 != 3 {
		return 0, fmt.Errorf("POST %s: %d %.200s", target, res.StatusCode, body)
	}
	return d, nil
}

// timedCallback posts the OP's login form, follows the OP's redirects and times the first
// request to Rollcall (the callback).
func (b *browser) timedCallback(ctx context.Context, target string, form url.Values) (time.Duration, error) {
	method := "POST"
	for hop := 0; hop < 10; hop++ {
		u, err := url.Parse(target)
		if err != nil {
			return 0, err
		}
		t := time.Now()
		res, body, err := b.send(ctx, method, target, form)
		d := time.Since(t)
		if err != nil {
			return 0, err
		}
		if strings.HasPrefix(target, b.self) && u.Query().Get("code") != "" {
			if res.StatusCode/100 != 3 {
				return 0, fmt.Errorf("callback: %d %.200s", res.StatusCode, body)
			}
			return d, nil
		}
		loc := res.Header.Get("Location")
		if res.StatusCode/100 != 3 || loc == "" {
			return 0, fmt.Errorf("no callback; stopped at %s (%d) %.200s", target, res.StatusCode, body)
		}
		next, _ := res.Request.URL.Parse(loc)
		method, target, form = "GET", next.String(), nil
	}
	return 0, errors.New("too many redirects")
}

var (
	formAction = regexp.MustCompile(`<form[^>]*action="([^"]*)"`)
	formInput  = regexp.MustCompile(`<input[^>]*name="([^"]*)"[^>]*value="([^"]*)"`)
)

// postForm reads the action and hidden fields of the auto-submitting form an IdP answers with.
func postForm(body string) (string, url.Values) {
	v := url.Values{}
	action := ""
	if m := formAction.FindStringSubmatch(body); m != nil {
		action = html.UnescapeString(m[1])
	}
	for _, m := range formInput.FindAllStringSubmatch(body, -1) {
		v.Set(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	return action, v
}
