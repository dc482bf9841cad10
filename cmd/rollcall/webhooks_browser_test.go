package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/rollcall/rollcall/webhooks"
)

// hookReceiver is the SaaS app's webhook endpoint: it keeps what arrives and fails until told.
type hookReceiver struct {
	mu     sync.Mutex
	ok     bool
	bodies [][]byte
	sigs   []string
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.bodies, h.sigs = append(h.bodies, body), append(h.sigs, r.Header.Get(webhooks.SignatureHeader))
	if !h.ok {
		http.Error(w, "down for maintenance", http.StatusInternalServerError)
	}
}

func (h *hookReceiver) received() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.bodies)
}

// TestWebhooksInTheBrowser: the operator enters the operator key once and sees the webhook
// endpoint, a failed delivery with its attempts and last error, redelivers it once the app is
// back, and sees it sent, signed with both secrets of a rotation.
func TestWebhooksInTheBrowser(t *testing.T) {
	requireBrowser(t)
	app := &hookReceiver{}
	receiver := httptest.NewServer(app)
	defer receiver.Close()
	current, previous := "new-webhook-secret-0123456789", "old-webhook-secret-0123456789"
	s := startServe(t, map[string]string{"ROLLCALL_WEBHOOK_URL": receiver.URL, "ROLLCALL_WEBHOOK_SECRET": current,
		"ROLLCALL_WEBHOOK_PREVIOUS_SECRET": previous, "ROLLCALL_OUTBOX_MAX_ATTEMPTS": "1"}, "--data-dir", t.TempDir())
	defer func() { s.cancel(); <-s.code }()
	if code, out, errOut := cli(t, s, s.key, "org", "create", "--slug", "acme", "--name", "Acme Inc", "--owner", "alice@acme.com"); code != 0 {
		t.Fatalf("org create: %s %s", out, errOut)
	}
	waitFor(t, "the first delivery", func() bool { return app.received() >= 1 })

	op := newTab(t)
	op.run(chromedp.Navigate(s.url+"/operator/webhooks"), waitText("h1", "Operator sign-in"),
		typeIn(`#operator-sign-in input[name=key]`, "not-the-key-0123456789"), click(`#operator-sign-in button`),
		waitText("#alert", "This is not the operator key"),
		typeIn(`#operator-sign-in input[name=key]`, s.key), click(`#operator-sign-in button`), waitText("h1", "Webhooks"),
		waitText("#webhook-url", receiver.URL), waitText("#rotation", "signed with the new and the previous secret"))
	failed := `#deliveries tr[data-delivery] .badge.failed`
	reloadUntil(op, s.url+"/operator/webhooks?state=failed", failed)
	if text := get(op, chromedp.Text(chromedp.CSS(`#deliveries tbody`))); !strings.Contains(text, "member.joined") || !strings.Contains(text, "500") {
		t.Fatalf("the failed delivery: %q", text)
	}
	op.run(chromedp.Navigate(s.url + "/operator/webhooks"))
	op.shot("webhooks")

	app.mu.Lock()
	app.ok = true
	app.mu.Unlock()
	before := app.received()
	op.run(chromedp.Navigate(s.url+"/operator/webhooks?state=failed"), click(`#deliveries form[action$="/redeliver"] button`),
		waitText("#notice", "Queued the delivery"))
	waitFor(t, "the redelivery", func() bool { return app.received() > before })
	reloadUntil(op, s.url+"/operator/webhooks?state=sent", `#deliveries .badge.sent`)
	app.mu.Lock()
	body, sig := app.bodies[len(app.bodies)-1], app.sigs[len(app.sigs)-1]
	app.mu.Unlock()
	for _, secret := range []string{current, previous} {
		if err := webhooks.Verify([]byte(secret), sig, body, 5*time.Minute, time.Now()); err != nil {
			t.Errorf("the redelivery does not verify with %s: %v (%s)", secret, err, sig)
		}
	}
	if op.bodyHas(current) || op.bodyHas(previous) {
		t.Fatal("the webhooks page shows a secret")
	}
}

// waitFor polls cond for up to 15 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// reloadUntil opens url in b again until an element matches sel (the outbox works in the
// background), for up to 15 seconds.
func reloadUntil(b *tab, url, sel string) {
	b.t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		b.run(chromedp.Navigate(url))
		if js[bool](b, `!!document.querySelector(`+quoteJS(sel)+`)`) {
			return
		}
	}
	b.t.Fatalf("%s never showed %s", url, sel)
}

func quoteJS(s string) string { return "'" + strings.ReplaceAll(s, "'", `\'`) + "'" }
