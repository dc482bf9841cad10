package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rollcall/rollcall/domains/dnstest"
	"github.com/rollcall/rollcall/invites/smtptest"
	"github.com/rollcall/rollcall/webhooks"
)

// hookLog collects verified webhook deliveries.
type hookLog struct {
	mu     sync.Mutex
	topics []string
	bad    int
}

func (h *hookLog) has(topic string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, t := range h.topics {
		if t == topic {
			return true
		}
	}
	return false
}

var linkPattern = regexp.MustCompile(`http://[^\s"<>]+`)

// waitMail waits for a mail to addr and returns the first link in it.
func waitMail(t *testing.T, smtp *smtptest.Server, addr string, n int) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if msgs := smtp.To(addr); len(msgs) >= n {
			return linkPattern.FindString(msgs[n-1].Text)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no mail #%d to %s", n, addr)
	return ""
}

// TestEntrancesThroughTheBinary runs the real server with a real SMTP server, DNS server and
// webhook receiver: an emailed invitation is accepted by a new person signing in by email link,
// a verified domain auto-joins a colleague on sign-in, and every membership event reaches the
// app signed.
func TestEntrancesThroughTheBinary(t *testing.T) {
	smtp := smtptest.Start(t)
	dns := dnstest.Start(t)
	secret := "whsec-0123456789abcdef"
	hooks := &hookLog{}
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		hooks.mu.Lock()
		defer hooks.mu.Unlock()
		if webhooks.Verify([]byte(secret), r.Header.Get(webhooks.SignatureHeader), body, time.Minute, time.Now()) != nil {
			hooks.bad++
			w.WriteHeader(400)
			return
		}
		hooks.topics = append(hooks.topics, r.Header.Get("Rollcall-Event"))
	}))
	defer receiver.Close()
	s := startServe(t, map[string]string{
		"ROLLCALL_SMTP_HOST": "127.0.0.1", "ROLLCALL_SMTP_PORT": strconv.Itoa(smtp.Port), "ROLLCALL_SMTP_TLS": "none",
		"ROLLCALL_DNS_RESOLVER": dns.Addr, "ROLLCALL_WEBHOOK_URL": receiver.URL, "ROLLCALL_WEBHOOK_SECRET": secret,
	}, "--data-dir", t.TempDir())
	defer func() { s.cancel(); <-s.code }()
	if code, out, errOut := cli(t, s, s.key, "org", "create", "--slug", "acme", "--name", "Acme Inc", "--owner", "alice@acme.com", "--seats", "5"); code != 0 {
		t.Fatalf("org create: %s %s", out, errOut)
	}

	// An invitation by email, accepted by someone with no account yet.
	if code, out, errOut := cli(t, s, s.key, "member", "invite", "acme", "carol@contractor.io"); code != 0 {
		t.Fatalf("member invite: %s %s", out, errOut)
	}
	invitation := waitMail(t, smtp, "carol@contractor.io", 1)
	if !strings.HasPrefix(invitation, s.url+"/invitations/") || !strings.Contains(smtp.To("carol@contractor.io")[0].Text, "Acme Inc") {
		t.Fatalf("invitation mail: %q", smtp.To("carol@contractor.io")[0].Text)
	}
	carol := browser(t)
	signIn(t, carol, s, smtp, "carol@contractor.io", 2)
	res, err := carol.Post(invitation+"/accept", "application/x-www-form-urlencoded", nil)
	if err != nil || res.StatusCode >= 400 {
		t.Fatalf("accept: %v %v", err, res.Status)
	}
	res.Body.Close()

	// A verified domain with auto-join: a colleague joins on email sign-in.
	if code, out, errOut := cli(t, s, s.key, "domain", "add", "acme", "acme.com"); code != 0 {
		t.Fatalf("domain add: %s %s", out, errOut)
	}
	_, raw, _ := cli(t, s, s.key, "domain", "list", "acme", "--json")
	var list struct {
		Domains []struct {
			Record struct {
				Name  string `json:"name"`
				Value string `json:"value"`
			} `json:"record"`
		} `json:"domains"`
	}
	if err := json.Unmarshal([]byte(raw), &list); err != nil || len(list.Domains) != 1 {
		t.Fatalf("domain list: %s", raw)
	}
	dns.SetTXT(list.Domains[0].Record.Name, list.Domains[0].Record.Value)
	if code, out, errOut := cli(t, s, s.key, "domain", "verify", "acme", "acme.com"); code != 0 || !strings.Contains(out, "verified") {
		t.Fatalf("domain verify: %s %s", out, errOut)
	}
	req, _ := http.NewRequest("PATCH", s.url+"/api/v1/orgs/acme/domains/acme.com", strings.NewReader(`{"autoJoin":true}`))
	req.Header.Set("Authorization", "Bearer "+s.key)
	req.Header.Set("Content-Type", "application/json")
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 200 {
		t.Fatalf("enable auto-join: %v %v", err, res.Status)
	}
	dave := browser(t)
	signIn(t, dave, s, smtp, "dave@acme.com", 1)

	_, csv, _ := cli(t, s, s.key, "member", "list", "acme", "--csv")
	for _, want := range []string{"carol@contractor.io,,,false,true,member,active,invite", "dave@acme.com,,,false,true,member,active,domain"} {
		if !strings.Contains(csv, want) {
			t.Errorf("members lack %q:\n%s", want, csv)
		}
	}
	for deadline := time.Now().Add(15 * time.Second); !hooks.has("member.joined") && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
	}
	joined := hooks.has("member.joined")
	hooks.mu.Lock()
	defer hooks.mu.Unlock()
	if !joined || hooks.bad != 0 {
		t.Fatalf("webhooks: %v, %d badly signed", hooks.topics, hooks.bad)
	}
}

func browser(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 15 * time.Second}
}

// signIn asks for an email link as a browser would, follows the n-th mail's link and checks that
// a session cookie was set.
func signIn(t *testing.T, c *http.Client, s *started, smtp *smtptest.Server, email string, n int) {
	t.Helper()
	res, err := c.PostForm(s.url+"/auth/email", url.Values{"email": {email}})
	if err != nil || res.StatusCode >= 400 {
		t.Fatalf("request sign-in link for %s: %v %v", email, err, res.Status)
	}
	res.Body.Close()
	link := waitMail(t, smtp, email, n)
	if !strings.Contains(link, "/auth/email/verify?token=") {
		t.Fatalf("sign-in mail link: %q", link)
	}
	res, err = c.Get(link)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("open sign-in link: %v %v", err, res.Status)
	}
	res.Body.Close()
	mailed, _ := url.Parse(link)
	res, err = c.PostForm(s.url+"/auth/email/verify", mailed.Query())
	if err != nil || res.StatusCode >= 400 {
		t.Fatalf("confirm sign-in: %v %v", err, res.Status)
	}
	res.Body.Close()
	u, _ := url.Parse(s.url)
	if len(c.Jar.Cookies(u)) == 0 {
		t.Fatalf("no session cookie after signing in as %s", email)
	}
}
