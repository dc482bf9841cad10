package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rollcall/rollcall/invites/smtptest"
	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/session"
)

var secretPattern = regexp.MustCompile(`(?:inv|lnk|esl|mwt|scim|rcs|rk)_[A-Za-z0-9_-]{43}`)

// TestNoSecretInLogs runs the main flows through the real server at debug level — an emailed
// invitation accepted after an email sign-in, an invite link joined, a personal token made with
// the session and used, a SCIM token used, and wrong links of each kind — then scans everything
// the server logged for every secret the flows created or sent.
func TestNoSecretInLogs(t *testing.T) {
	smtp := smtptest.Start(t)
	s := startServe(t, map[string]string{
		"ROLLCALL_SMTP_HOST": "127.0.0.1", "ROLLCALL_SMTP_PORT": strconv.Itoa(smtp.Port), "ROLLCALL_SMTP_TLS": "none",
	}, "--data-dir", t.TempDir(), "--log-level", "debug")
	defer func() { s.cancel(); <-s.code }()
	secrets := []string{s.key}
	if code, out, errOut := cli(t, s, s.key, "org", "create", "--slug", "acme", "--name", "Acme Inc", "--owner", "alice@acme.com", "--seats", "10"); code != 0 {
		t.Fatalf("org create: %s %s", out, errOut)
	}
	if code, out, errOut := cli(t, s, s.key, "member", "invite", "acme", "carol@x.io"); code != 0 {
		t.Fatalf("member invite: %s %s", out, errOut)
	}
	invitation := waitMail(t, smtp, "carol@x.io", 1)
	carol := browser(t)
	signIn(t, carol, s, smtp, "carol@x.io", 2)
	httpPostWith(t, carol, invitation+"/accept", "", "")
	httpPostWith(t, carol, invitation+"/accept", "", "")

	api := func(method, path, body string) map[string]any {
		req, _ := http.NewRequest(method, s.url+"/api/v1"+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+s.key)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil || res.StatusCode >= 400 {
			t.Fatalf("%s %s: %v %v", method, path, err, res.Status)
		}
		defer res.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(res.Body).Decode(&out)
		return out
	}
	joinURL := api("POST", "/orgs/acme/invite-links/member/regenerate", "")["link"].(map[string]any)["url"].(string)
	dave := browser(t)
	signIn(t, dave, s, smtp, "dave@y.io", 1)
	httpGetWith(t, dave, joinURL)
	httpPostWith(t, dave, joinURL, "", "")

	base, _ := url.Parse(s.url)
	for _, c := range carol.Jar.Cookies(base) {
		if c.Name == session.CookieName {
			secrets = append(secrets, c.Value)
		}
	}
	token := httpPostWith(t, carol, s.url+"/api/v1/orgs/acme/tokens", `{"name":"laptop"}`, "application/json")
	mwt := secretPattern.FindString(token)
	if status, _, body := bearerGet(t, s.url+"/api/v1/me", mwt); status != 200 {
		t.Fatalf("use the personal token: %d %s", status, body)
	}
	_, out, _ := cli(t, s, s.key, "scim", "token", "create", "acme", "Okta")
	scimToken := secretPattern.FindString(out)
	if status, _, body := bearerGet(t, s.url+"/scim/v2/Users", scimToken); status != 200 {
		t.Fatalf("use the SCIM token: %d %s", status, body)
	}

	wrong := map[string]string{}
	for _, prefix := range []string{"inv_", "lnk_", "esl_"} {
		w, _ := provisioning.NewSecret(prefix)
		wrong[prefix] = w
		secrets = append(secrets, w)
	}
	httpGetWith(t, browser(t), s.url+"/invitations/"+wrong["inv_"])
	httpGetWith(t, browser(t), s.url+"/join/"+wrong["lnk_"])
	httpGetWith(t, browser(t), s.url+"/auth/email/verify?token="+wrong["esl_"])

	for _, addr := range []string{"carol@x.io", "dave@y.io"} {
		for _, m := range smtp.To(addr) {
			secrets = append(secrets, secretPattern.FindAllString(m.Text, -1)...)
		}
	}
	secrets = append(secrets, mwt, scimToken, secretPattern.FindString(joinURL), secretPattern.FindString(invitation))
	if len(secrets) < 12 {
		t.Fatalf("the flows made only %d secrets: %v", len(secrets), secrets)
	}
	logs := s.stderr.String()
	if !strings.Contains(logs, "/invitations/inv_[redacted]") {
		t.Fatalf("the flows did not reach the access log:\n%s", logs)
	}
	for _, secret := range secrets {
		if secret == "" {
			t.Fatal("a flow did not hand out its secret")
		}
		_, body, _ := strings.Cut(secret, "_")
		if strings.Contains(logs, body) {
			t.Errorf("a secret (%s…) is in the server log", secret[:6])
		}
	}
	for _, secret := range secrets[1:] {
		if strings.Contains(s.stdout.String(), secret) {
			t.Errorf("a secret (%s…) is on the server's stdout, which only shows the operator key at first start", secret[:6])
		}
	}
}

func httpGetWith(t *testing.T, c *http.Client, target string) string {
	t.Helper()
	res, err := c.Get(target)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

func httpPostWith(t *testing.T, c *http.Client, target, body, contentType string) string {
	t.Helper()
	if contentType == "" {
		contentType = "application/x-www-form-urlencoded"
	}
	res, err := c.Post(target, contentType, strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", target, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}
