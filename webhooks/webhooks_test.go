package webhooks

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
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
