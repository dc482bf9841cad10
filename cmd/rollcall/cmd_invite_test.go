package main

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/rollcall/rollcall/api"
	"github.com/rollcall/rollcall/invites"
	"github.com/rollcall/rollcall/store/storetest"
)

// TestInviteCommands drives the invitation verbs against a real API over SQLite.
func TestInviteCommands(t *testing.T) {
	h := storetest.NewHarness(t, storetest.OpenSQLite(t))
	mux := chi.NewRouter()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	mux.Mount("/api/v1", api.New(api.Options{Service: h.Service, Invites: invites.NewService(h.Service, invites.Options{PublicURL: srv.URL})}))
	key, _, err := h.Service.EnsureOperatorKey(context.Background(), "test-operator-key-0123456789")
	if err != nil {
		t.Fatal(err)
	}
	h.CreateOrg("acme", 10, "owner@acme.com")
	env := envFrom(map[string]string{"ROLLCALL_URL": srv.URL, "ROLLCALL_TOKEN": key})
	cli := func(stdin string, args ...string) (int, string, string) {
		var out, errOut syncBuffer
		code := run(context.Background(), args, env, strings.NewReader(stdin), &out, &errOut)
		return code, out.String(), errOut.String()
	}
	code, out, _ := cli("", "member", "invite", "acme", "alice@x.com", "--role", "admin", "--no-email")
	if code != 0 || !strings.Contains(out, "invited alice@x.com as admin") || !strings.Contains(out, srv.URL+"/invitations/inv_") {
		t.Fatalf("member invite: %d %q", code, out)
	}
	id := regexp.MustCompile(`\(id ([0-9a-f-]+)\)`).FindStringSubmatch(out)[1]
	file := filepath.Join(t.TempDir(), "emails.txt")
	if err := os.WriteFile(file, []byte("b@x.com\nc@x.com\nnot-an-email\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := cli("", "member", "invite", "acme", "--file", file); code != 0 || !strings.Contains(out, "2 invited, 1 refused") {
		t.Fatalf("member invite --file: %d %q", code, out)
	}
	if code, out, _ := cli("d@x.com\n", "member", "invite", "acme", "--file", "-", "--role", "viewer"); code != 0 || !strings.Contains(out, "invited d@x.com as viewer") {
		t.Fatalf("member invite --file -: %d %q", code, out)
	}
	if code, _, errOut := cli("", "member", "invite", "acme"); code != exitUsage || errOut == "" {
		t.Fatalf("member invite without an address: %d %q", code, errOut)
	}
	if code, out, _ := cli("", "invite", "list", "acme", "--state", "pending"); code != 0 || strings.Count(out, "pending") != 4 {
		t.Fatalf("invite list: %d %q", code, out)
	}
	if code, out, _ := cli("", "invite", "resend", "acme", id); code != 0 || !strings.Contains(out, "alice@x.com is pending") {
		t.Fatalf("invite resend: %d %q", code, out)
	}
	if code, out, _ := cli("", "invite", "revoke", "acme", id); code != 0 || !strings.Contains(out, "is revoked") {
		t.Fatalf("invite revoke: %d %q", code, out)
	}
	if code, _, errOut := cli("", "invite", "revoke", "acme", id); code != exitFailure || !strings.Contains(errOut, "already revoked") {
		t.Fatalf("second revoke: %d %q", code, errOut)
	}
	if code, out, _ := cli("", "invite", "quota", "acme"); code != 0 || !strings.Contains(out, "daily invitations used") {
		t.Fatalf("invite quota: %d %q", code, out)
	}
	if code, out, _ := cli("", "invite-link", "regenerate", "acme", "member"); code != 0 || !strings.Contains(out, srv.URL+"/join/lnk_") {
		t.Fatalf("invite-link regenerate: %d %q", code, out)
	}
	if code, out, _ := cli("", "invite-link", "show", "acme"); code != 0 || !strings.Contains(out, "member  true") {
		t.Fatalf("invite-link show: %d %q", code, out)
	}
	if code, out, _ := cli("", "invite-link", "disable", "acme", "member"); code != 0 || !strings.Contains(out, "is off") {
		t.Fatalf("invite-link disable: %d %q", code, out)
	}
}
