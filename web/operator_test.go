package web_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/rollcall/rollcall/invites"
	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/store/storetest"
	"github.com/rollcall/rollcall/web"
)

// operatorBrowser is a browser at the operator's pages, with its own cookies.
type operatorBrowser struct {
	e *env
	c *http.Client
}

func (e *env) operatorBrowser() *operatorBrowser {
	jar, _ := cookiejar.New(nil)
	return &operatorBrowser{e: e, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *operatorBrowser) do(method, path string, form url.Values) (*http.Response, string) {
	b.e.t.Helper()
	req, _ := http.NewRequest(method, b.e.srv.URL+path, strings.NewReader(form.Encode()))
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res, string(raw)
}

// TestOperatorWebhooks: the operator key, entered once, opens a session cookie for the
// operator's pages only; the webhooks page lists deliveries (filterable) and redelivers a
// failed one (form token required; a pending one refused with a message). Neither a wrong key
// nor an org owner's session opens it.
func TestOperatorWebhooks(t *testing.T) {
	e := newEnvWithWebhooks(t, web.WebhookConfig{URL: "https://app.example/hooks", Rotating: true, MaxAttempts: 8})
	key, _, err := e.h.Service.EnsureOperatorKey(e.h.Ctx, "operator-key-0123456789")
	if err != nil {
		t.Fatal(err)
	}
	e.join("bob@acme.com", provisioning.RoleMember)
	if code, body := e.owner().get("/operator/webhooks"); code != http.StatusUnauthorized || !strings.Contains(body, "Operator key") {
		t.Fatalf("an org owner's session opened the operator pages: %d", code)
	}
	op := e.operatorBrowser()
	if res, body := op.do("POST", "/operator/sign-in", url.Values{"key": {"operator-key-wrong-000"}}); res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "This is not the operator key") {
		t.Fatalf("a wrong key: %d", res.StatusCode)
	}
	res, _ := op.do("POST", "/operator/sign-in", url.Values{"key": {key}})
	cookie := res.Cookies()
	if res.StatusCode != http.StatusSeeOther || len(cookie) != 1 || cookie[0].Path != "/operator" || !cookie[0].HttpOnly ||
		cookie[0].SameSite != http.SameSiteStrictMode || cookie[0].MaxAge != 7200 {
		t.Fatalf("operator sign-in: %d %+v", res.StatusCode, cookie)
	}
	res, body := op.do("GET", "/operator/webhooks", nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("webhooks page: %d %s", res.StatusCode, body)
	}
	mustContain(t, body, "https://app.example/hooks", "up to 8 attempts in all", `id="rotation"`, "webhooks.Verify", "member.joined", ">acme<")
	mustNotContain(t, body, "Redeliver<")

	var failed provisioning.OutboxItem
	e.h.Tx(func(tx provisioning.StoreTx) error {
		list, err := tx.ListOutbox(e.h.Ctx, provisioning.OutboxQuery{Kind: provisioning.OutboxWebhook, Newest: true, Limit: 1})
		if err != nil || len(list) != 1 {
			t.Fatalf("webhooks in the outbox: %v %v", list, err)
		}
		failed = list[0]
		return tx.FailOutbox(e.h.Ctx, failed.ID, "webhook endpoint answered 500 Internal Server Error")
	})
	_, body = op.do("GET", "/operator/webhooks?state=failed", nil)
	mustContain(t, body, `data-delivery="`+failed.ID+`"`, "answered 500", "/operator/webhooks/"+failed.ID+"/redeliver")
	if strings.Count(body, "data-delivery=") != 1 {
		t.Fatalf("the failed filter shows other deliveries:\n%s", body)
	}
	if res, _ := op.do("POST", "/operator/webhooks/"+failed.ID+"/redeliver", url.Values{}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("a redelivery without the form token: %d", res.StatusCode)
	}
	token := csrfValue.FindStringSubmatch(body)[1]
	res, _ = op.do("POST", "/operator/webhooks/"+failed.ID+"/redeliver", url.Values{"csrf": {token}, "state": {"failed"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("redeliver: %d", res.StatusCode)
	}
	_, body = op.do("GET", res.Header.Get("Location"), nil)
	mustContain(t, body, "Queued the delivery "+failed.ID+" again", `id="no-deliveries"`)
	if res, body := op.do("POST", "/operator/webhooks/"+failed.ID+"/redeliver", url.Values{"csrf": {token}}); res.StatusCode != http.StatusConflict || !strings.Contains(body, "only a failed delivery is sent again") {
		t.Fatalf("a pending delivery redelivered: %d", res.StatusCode)
	}
	if _, body := op.do("GET", "/operator/webhooks?state=bogus", nil); !strings.Contains(body, "state must be pending, sent or failed") {
		t.Fatal("a bad filter is not explained")
	}
	res, _ = op.do("POST", "/operator/sign-out", url.Values{})
	if res.StatusCode != http.StatusSeeOther || len(res.Cookies()) != 1 || res.Cookies()[0].MaxAge >= 0 {
		t.Fatalf("sign out: %d %+v", res.StatusCode, res.Cookies())
	}
	if res, _ := op.do("GET", "/operator/webhooks", nil); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("after sign-out: %d", res.StatusCode)
	}
}

// newEnvWithWebhooks is newEnv whose console describes the given webhook settings.
func newEnvWithWebhooks(t *testing.T, w web.WebhookConfig) *env {
	t.Helper()
	h := storetest.NewHarness(t, storetest.OpenSQLite(t))
	e := &env{t: t, h: h, inv: invites.NewService(h.Service, invites.Options{})}
	e.org = h.CreateOrg("acme", 5, "alice@acme.com")
	e.srv = httptest.NewServer(web.Handler(web.Options{Service: h.Service, Invites: e.inv, Webhooks: w}))
	t.Cleanup(e.srv.Close)
	return e
}
