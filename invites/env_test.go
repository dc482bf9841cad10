package invites_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/rollcall/rollcall/api"
	"github.com/rollcall/rollcall/invites"
	"github.com/rollcall/rollcall/invites/smtptest"
	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/seats"
	"github.com/rollcall/rollcall/store/storetest"
)

// env is the REST API and the browser handler over a real store, mailing through the outbox to
// a real SMTP server on loopback.
type env struct {
	t      *testing.T
	h      *storetest.Harness
	smtp   *smtptest.Server
	inv    *invites.Service
	worker *invites.Worker
	srv    *httptest.Server
	op     string
	acme   provisioning.OrgWithOwner
	owner  string // the acme owner's API token
}

type envOptions struct {
	quotas  map[seats.Plan]invites.Quota
	limit   int
	workerO invites.WorkerOptions
	public  string
}

// eachBackend runs fn on SQLite and on Postgres.
func eachBackend(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) { fn(t, newEnv(t, b, envOptions{})) })
	}
}

func newEnv(t *testing.T, b storetest.Backend, o envOptions) *env {
	t.Helper()
	h := storetest.NewHarness(t, b.Open(t))
	e := &env{t: t, h: h, smtp: smtptest.Start(t)}
	mux := chi.NewRouter()
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	if o.public == "" {
		o.public = e.srv.URL
	}
	e.inv = invites.NewService(h.Service, invites.Options{PublicURL: o.public, Quotas: o.quotas})
	mux.Mount("/api/v1", api.New(api.Options{Service: h.Service, Invites: e.inv}))
	handler := e.inv.Handler()
	for _, p := range invites.Mounts {
		mux.Mount(p, handler)
	}
	sender, err := invites.NewSender(invites.SMTPConfig{Host: "127.0.0.1", Port: e.smtp.Port, TLS: "none", From: "Rollcall <rollcall@test.example>"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	e.worker = invites.NewWorker(h.Service, sender, o.workerO)
	if e.op, _, err = h.Service.EnsureOperatorKey(context.Background(), "test-operator-key-0123456789"); err != nil {
		t.Fatal(err)
	}
	if o.limit == 0 {
		o.limit = 10
	}
	e.acme = h.CreateOrg("acme", o.limit, "owner@acme.com")
	e.owner = e.token(e.acme.Owner.Membership)
	return e
}

// token makes an API token for a membership.
func (e *env) token(m provisioning.Membership) string {
	e.t.Helper()
	tok, err := e.h.Service.CreateToken(e.h.Ctx, e.h.MemberActor(m), m.OrgID, "t", provisioning.TokenLimits{})
	if err != nil {
		e.t.Fatal(err)
	}
	return tok.Secret
}

// response is a decoded HTTP answer.
type response struct {
	Status int
	Body   map[string]any
	Raw    string
	Header http.Header
}

func (r response) code() string {
	m, _ := r.Body["error"].(map[string]any)
	s, _ := m["code"].(string)
	return s
}

func (r response) str(path ...string) string {
	var v any = r.Body
	for _, p := range path {
		m, _ := v.(map[string]any)
		v = m[p]
	}
	s, _ := v.(string)
	if s == "" && v != nil {
		return fmt.Sprint(v)
	}
	return s
}

// api calls the REST API with a bearer token.
func (e *env) api(token, method, path string, body any) response {
	e.t.Helper()
	return e.send(http.DefaultClient, method, e.srv.URL+"/api/v1"+path, body, token)
}

func (e *env) send(c *http.Client, method, target string, body any, token string) response {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, target, rd)
	req.Header.Set("Accept", "application/json")
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := c.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, target, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := response{Status: res.StatusCode, Raw: string(raw), Header: res.Header}
	_ = json.Unmarshal(raw, &out.Body)
	return out
}

// browser is a person's HTTP client with a cookie jar; it does not follow redirects.
type browser struct {
	e *env
	c *http.Client
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{e: e, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

func (b *browser) do(method, target string, body any) response {
	b.e.t.Helper()
	if strings.HasPrefix(target, "/") {
		target = b.e.srv.URL + target
	}
	return b.e.send(b.c, method, target, body, "")
}

// deliver runs the worker once and returns how many mails it sent.
func (e *env) deliver() int {
	e.t.Helper()
	n, err := e.worker.DeliverDue(e.h.Ctx)
	if err != nil {
		e.t.Fatalf("deliver: %v", err)
	}
	return n
}

var linkPattern = regexp.MustCompile(`https?://[^\s"<>]+`)

// lastLink returns the link in the newest mail to addr, failing when there is none.
func (e *env) lastLink(addr string) string {
	e.t.Helper()
	msgs := e.smtp.To(addr)
	if len(msgs) == 0 {
		e.t.Fatalf("no mail received for %s", addr)
	}
	link := linkPattern.FindString(msgs[len(msgs)-1].Text)
	if link == "" {
		e.t.Fatalf("no link in mail to %s: %q", addr, msgs[len(msgs)-1].Text)
	}
	return link
}

// signIn requests a sign-in link for addr, receives it over SMTP, follows it, and returns the
// signed-in browser and where it landed.
func (e *env) signIn(addr string) (*browser, string) {
	e.t.Helper()
	b := e.browser()
	if r := b.do("POST", "/auth/email", map[string]string{"email": addr}); r.Status != http.StatusAccepted {
		e.t.Fatalf("request sign-in: %d %s", r.Status, r.Raw)
	}
	if n := e.deliver(); n < 1 {
		e.t.Fatalf("sign-in mail not delivered")
	}
	res := b.follow(e.lastLink(addr))
	if res.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("follow sign-in link: %d", res.StatusCode)
	}
	return b, res.Header.Get("Location")
}

// invite invites addr into acme as role with the owner's token and returns the response.
func (e *env) invite(addr string, role provisioning.Role) response {
	e.t.Helper()
	return e.api(e.owner, "POST", "/orgs/acme/invitations", map[string]any{"email": addr, "role": role})
}

// mustInvite invites and returns the invitation id and link.
func (e *env) mustInvite(addr string, role provisioning.Role) (id, link string) {
	e.t.Helper()
	r := e.invite(addr, role)
	if r.Status != http.StatusCreated {
		e.t.Fatalf("invite %s: %d %s", addr, r.Status, r.Raw)
	}
	return r.str("invitation", "id"), r.str("link")
}

// member returns addr's membership in acme, if any.
func (e *env) member(addr string) (provisioning.Membership, bool) {
	e.t.Helper()
	var m provisioning.Membership
	found := false
	e.h.Tx(func(tx provisioning.StoreTx) error {
		u, err := tx.GetUserByEmail(e.h.Ctx, addr)
		if provisioning.IsCode(err, provisioning.CodeNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		m, err = tx.GetMembership(e.h.Ctx, e.acme.Org.ID, u.ID)
		found = err == nil
		if provisioning.IsCode(err, provisioning.CodeNotFound) {
			return nil
		}
		return err
	})
	return m, found
}

func pathOf(link string) string {
	u, err := url.Parse(link)
	if err != nil {
		return link
	}
	return u.RequestURI()
}

// secretOf is the last path segment of a link: the secret itself.
func secretOf(link string) string { return link[strings.LastIndexByte(link, '/')+1:] }

// lockedWriter is a goroutine-safe log sink.
type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.String()
}
