package webhooks

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

func TestDeliverSignsAndVerifies(t *testing.T) {
	secret := []byte("whsec-test")
	now := time.Unix(1_800_000_000, 0)
	got := make(chan error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get("Rollcall-Event") != "member.joined" || r.Header.Get("Rollcall-Delivery") != "d1" {
			got <- io.ErrUnexpectedEOF
			return
		}
		got <- Verify(secret, r.Header.Get(SignatureHeader), body, 5*time.Minute, now.Add(time.Minute))
	}))
	defer srv.Close()
	s := NewSender(srv.URL, secret)
	s.Now = func() time.Time { return now }
	item := provisioning.OutboxItem{OutboxMessage: provisioning.OutboxMessage{ID: "d1", Topic: "member.joined", Payload: []byte(`{"type":"member.joined"}`)}}
	if _, err := s.Deliver(context.Background(), item); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatalf("the receiver could not verify: %v", err)
	}
}

func TestVerifyRefuses(t *testing.T) {
	secret := []byte("s")
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"a":1}`)
	good := Sign(secret, now, body)
	cases := map[string]struct {
		secret []byte
		header string
		body   []byte
		at     time.Time
	}{
		"wrong secret": {[]byte("x"), good, body, now},
		"tampered":     {secret, good, []byte(`{"a":2}`), now},
		"stale":        {secret, good, body, now.Add(time.Hour)},
		"malformed":    {secret, "v1=abc", body, now},
		"empty":        {secret, "", body, now},
	}
	for name, c := range cases {
		if err := Verify(c.secret, c.header, c.body, 5*time.Minute, c.at); err != ErrBadSignature {
			t.Errorf("%s: got %v", name, err)
		}
	}
	if err := Verify(secret, good, body, 5*time.Minute, now); err != nil {
		t.Fatalf("good signature refused: %v", err)
	}
}

func TestDeliverFailsOnNon2xx(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }))
	defer srv.Close()
	_, err := NewSender(srv.URL, []byte("s")).Deliver(context.Background(), provisioning.OutboxItem{})
	if err == nil {
		t.Fatal("a 503 must be retried")
	}
}

// TestRotation: while the secret is rotated, deliveries carry a signature by each secret, so a
// receiver holding the old secret and one holding the new both verify; a third secret does not.
func TestRotation(t *testing.T) {
	current, previous := []byte("new-secret-0123456789"), []byte("old-secret-0123456789")
	now := time.Unix(1_800_000_000, 0)
	got := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got <- r.Header.Get(SignatureHeader) }))
	defer srv.Close()
	s := NewSender(srv.URL, current)
	s.Previous, s.Now = previous, func() time.Time { return now }
	body := []byte(`{"type":"member.joined"}`)
	item := provisioning.OutboxItem{OutboxMessage: provisioning.OutboxMessage{ID: "d1", Payload: body}}
	if _, err := s.Deliver(context.Background(), item); err != nil {
		t.Fatal(err)
	}
	header := <-got
	if n := strings.Count(header, "v1="); n != 2 {
		t.Fatalf("a rotation's header carries %d signatures: %s", n, header)
	}
	for _, secret := range [][]byte{current, previous} {
		if err := Verify(secret, header, body, 5*time.Minute, now); err != nil {
			t.Fatalf("%s refused during the rotation: %v", secret, err)
		}
	}
	if err := Verify([]byte("another-secret-0123"), header, body, 5*time.Minute, now); err != ErrBadSignature {
		t.Fatalf("a third secret verified: %v", err)
	}
	if h := Sign(current, now, body); strings.Count(h, "v1=") != 1 {
		t.Fatalf("without a rotation one signature: %s", h)
	}
}
