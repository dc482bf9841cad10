package invites_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rollcall/rollcall/invites"
	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/store/storetest"
)

func (e *env) outbox(state provisioning.OutboxState) []provisioning.OutboxItem {
	e.t.Helper()
	var out []provisioning.OutboxItem
	e.h.Tx(func(tx provisioning.StoreTx) error {
		var err error
		out, err = tx.ListOutbox(e.h.Ctx, provisioning.OutboxQuery{Kind: provisioning.OutboxEmail, State: state})
		return err
	})
	return out
}

// TestSMTPDown: while the server is down the mail stays in the outbox; it is sent, once, when
// the server is back and its backoff has passed. Delivered mail keeps no link.
func TestSMTPDown(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		e.smtp.Stop()
		_, link := e.mustInvite("late@x.com", provisioning.RoleMember)
		if n := e.deliver(); n != 0 {
			t.Fatalf("delivered %d with the server down", n)
		}
		pending := e.outbox(provisioning.OutboxPending)
		if len(pending) != 1 || pending[0].Attempts != 1 || pending[0].LastError == "" {
			t.Fatalf("outbox after a failed send: %+v", pending)
		}
		if strings.Contains(string(pending[0].Payload), secretOf(link)) {
			t.Fatalf("a pending mail keeps its link in clear: %s", pending[0].Payload)
		}
		e.smtp.Restart()
		if n := e.deliver(); n != 0 {
			t.Fatalf("retried before the backoff: %d", n)
		}
		e.h.Clock.Advance(31 * time.Second)
		if n := e.deliver(); n != 1 {
			t.Fatalf("delivered %d after the server came back, want 1", n)
		}
		if got := e.lastLink("late@x.com"); got != link {
			t.Fatalf("mailed %q, want %q", got, link)
		}
		sent := e.outbox(provisioning.OutboxSent)
		if len(sent) != 1 || sent[0].SentAt == nil || strings.Contains(string(sent[0].Payload), "inv_") {
			t.Fatalf("sent row: %+v", sent)
		}
		e.h.Clock.Advance(time.Hour)
		if n := e.deliver(); n != 0 || len(e.smtp.To("late@x.com")) != 1 {
			t.Fatalf("a sent mail went out again")
		}
	})
}

// TestDeliveryGivesUp: after MaxAttempts failures a mail is marked failed and kept.
func TestDeliveryGivesUp(t *testing.T) {
	e := newEnv(t, storetest.Backends()[0], envOptions{workerO: invites.WorkerOptions{MaxAttempts: 3, BaseBackoff: time.Second}})
	e.smtp.Stop()
	e.mustInvite("gone@x.com", provisioning.RoleMember)
	for range 3 {
		e.deliver()
		e.h.Clock.Advance(time.Hour)
	}
	failed := e.outbox(provisioning.OutboxFailed)
	if len(failed) != 1 || failed[0].Attempts != 3 || failed[0].LastError == "" || !strings.Contains(string(failed[0].Payload), "gone@x.com") {
		t.Fatalf("failed row: %+v", failed)
	}
	if strings.Contains(string(failed[0].Payload), "inv_") || strings.Contains(string(failed[0].Payload), "/invitations/") {
		t.Fatalf("the failed row keeps the invitation link in clear: %s", failed[0].Payload)
	}
	e.smtp.Restart()
	if n := e.deliver(); n != 0 {
		t.Fatalf("a failed mail was retried")
	}
}

// TestWorkersShareTheOutbox: several workers at once send every mail exactly once.
func TestWorkersShareTheOutbox(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		emails := make([]string, 30)
		for i := range emails {
			emails[i] = fmt.Sprintf("w%d@x.com", i)
		}
		if r := e.api(e.owner, "POST", "/orgs/acme/invitations/bulk", map[string]any{"emails": emails, "role": "viewer"}); r.Status != 200 {
			t.Fatalf("bulk: %s", r.Raw)
		}
		sender, err := invites.NewSender(invites.SMTPConfig{Host: "127.0.0.1", Port: e.smtp.Port, TLS: "none"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		total := make([]int, 4)
		parallel(4, func(i int) {
			w := invites.NewWorker(e.h.Service, sender, invites.WorkerOptions{Batch: 3})
			n, err := w.DeliverDue(e.h.Ctx)
			if err != nil {
				t.Error(err)
			}
			total[i] = n
		})
		sum := total[0] + total[1] + total[2] + total[3]
		if sum != 30 || len(e.smtp.Messages()) != 30 {
			t.Fatalf("workers sent %v (%d), server got %d; want 30 each", total, sum, len(e.smtp.Messages()))
		}
		seen := map[string]bool{}
		for _, m := range e.smtp.Messages() {
			if seen[m.To[0]] {
				t.Fatalf("%s got two mails", m.To[0])
			}
			seen[m.To[0]] = true
		}
	})
}

// TestRunAndDropSender: Run delivers in the background until stopped; with no SMTP host the mail,
// link included, goes to a file of its own, and the log names the file but not the link.
func TestRunAndDropSender(t *testing.T) {
	e := newEnv(t, storetest.Backends()[0], envOptions{})
	var logs bytes.Buffer
	var mu lockedWriter
	mu.w = &logs
	dir := filepath.Join(t.TempDir(), "mail")
	sender, err := invites.NewSender(invites.SMTPConfig{DropDir: dir}, slog.New(slog.NewTextHandler(&mu, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := sender.(invites.DropSender); !ok {
		t.Fatalf("no host gave %T, want DropSender", sender)
	}
	w := invites.NewWorker(e.h.Service, sender, invites.WorkerOptions{PollInterval: 10 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- w.Run(ctx) }()
	_, link := e.mustInvite("dropped@x.com", provisioning.RoleMember)
	var mail []byte
	for deadline := time.Now().Add(5 * time.Second); len(mail) == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no mail file in %s; log: %s", dir, mu.String())
		}
		files, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
		if len(files) == 1 {
			mail, _ = os.ReadFile(files[0])
			if info, err := os.Stat(files[0]); err != nil || info.Mode().Perm() != 0o600 {
				t.Fatalf("mail file mode: %v %v", info.Mode(), err)
			}
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
	if !strings.Contains(string(mail), secretOf(link)) || !strings.HasPrefix(string(mail), "To: dropped@x.com\n") {
		t.Fatalf("mail file: %s", mail)
	}
	if strings.Contains(mu.String(), secretOf(link)) || !strings.Contains(mu.String(), "dropped@x.com") {
		t.Fatalf("the log must name the mail, not its link: %s", mu.String())
	}
	if _, err := invites.NewSender(invites.SMTPConfig{Host: "x", TLS: "ssl3"}, nil); err == nil {
		t.Fatal("an unknown TLS mode was accepted")
	}
}
