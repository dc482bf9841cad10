// Package webhooks delivers the core's membership events to the SaaS app: each outbox message of
// kind webhook is POSTed as JSON to the configured URL, signed with HMAC-SHA256 so the app can
// check that Rollcall sent it and when.
package webhooks

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

// SignatureHeader carries "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">". While the
// secret is rotated it carries one v1 per secret, the current one first:
// "t=…,v1=<current>,v1=<previous>"; a receiver accepts the delivery when any v1 verifies.
const SignatureHeader = "Rollcall-Signature"

// Sender POSTs webhook events to one endpoint.
type Sender struct {
	URL    string
	Secret []byte
	// Previous, when set, is the secret being rotated out: deliveries are signed with both, so
	// a receiver still holding it keeps verifying until it switches to Secret.
	Previous []byte
	Client   *http.Client
	Now      func() time.Time
}

// NewSender builds a sender with a bounded HTTP client.
func NewSender(url string, secret []byte) *Sender {
	return &Sender{URL: url, Secret: secret, Client: &http.Client{Timeout: 15 * time.Second}, Now: time.Now}
}

// Kind says the sender delivers webhook outbox messages.
func (s *Sender) Kind() string { return provisioning.OutboxWebhook }

// InOrder says one org's events are delivered in order.
func (s *Sender) InOrder() bool { return true }

// Deliver sends one event; any answer but 2xx is an error, so the outbox retries it.
func (s *Sender) Deliver(ctx context.Context, m provisioning.OutboxItem) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(m.Payload))
	if err != nil {
		return nil, fmt.Errorf("webhook url: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Rollcall-Webhooks/1")
	req.Header.Set("Rollcall-Event", m.Topic)
	req.Header.Set("Rollcall-Delivery", m.ID)
	req.Header.Set(SignatureHeader, Sign(s.Secret, s.Now(), m.Payload, s.previous()...))
	res, err := s.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("webhook post: %w", err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return nil, fmt.Errorf("webhook endpoint answered %s", res.Status)
	}
	return nil, nil
}

func (s *Sender) previous() [][]byte {
	if len(s.Previous) == 0 {
		return nil
	}
	return [][]byte{s.Previous}
}

// LogDeliverer settles webhook events by logging them at debug level, for installs without a
// webhook URL, so that the outbox does not grow.
type LogDeliverer struct{ Logger *slog.Logger }

// Kind says the deliverer takes webhook outbox messages.
func (LogDeliverer) Kind() string { return provisioning.OutboxWebhook }

// InOrder says one org's events are settled in order, as a Sender delivers them.
func (LogDeliverer) InOrder() bool { return true }

// Deliver logs the event.
func (l LogDeliverer) Deliver(ctx context.Context, m provisioning.OutboxItem) ([]byte, error) {
	l.Logger.DebugContext(ctx, "webhook event (no --webhook-url set)", "topic", m.Topic, "id", m.ID)
	return nil, nil
}

// Sign returns the signature header value for body at time t, with one v1 signature by secret
// and one by each of more (the secrets being rotated out).
func Sign(secret []byte, t time.Time, body []byte, more ...[]byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	out := "t=" + ts + ",v1=" + mac(secret, ts, body)
	for _, s := range more {
		out += ",v1=" + mac(s, ts, body)
	}
	return out
}

func mac(secret []byte, ts string, body []byte) string {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(ts))
	h.Write([]byte("."))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// ErrBadSignature is returned by Verify for a missing, malformed, wrong or stale signature.
var ErrBadSignature = errors.New("webhook signature does not verify")

// Verify checks a signature header against body, refusing signatures older than tolerance. The
// SaaS app calls it (or does the same in its own language) on every delivery; it accepts the
// delivery when any of the header's v1 signatures is secret's, so a secret rotation (which
// signs with the old and the new secret) never breaks a receiver holding either.
func Verify(secret []byte, header string, body []byte, tolerance time.Duration, now time.Time) error {
	var ts string
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return ErrBadSignature
	}
	if age := now.Sub(time.Unix(sec, 0)); age > tolerance || age < -tolerance {
		return ErrBadSignature
	}
	want := []byte(mac(secret, ts, body))
	for _, sig := range sigs {
		if hmac.Equal([]byte(sig), want) {
			return nil
		}
	}
	return ErrBadSignature
}
