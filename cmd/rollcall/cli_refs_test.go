package main

import (
	"strings"
	"testing"

	"github.com/rollcall/rollcall/domains/dnstest"
)

// TestCLIMembersByEmailAndVerifyExitCode: member role and remove take an email as well as an
// id; an unknown email is a one-line failure; domain verify exits 1 while the domain is not
// verified.
func TestCLIMembersByEmailAndVerifyExitCode(t *testing.T) {
	dns := dnstest.Start(t)
	s := startServe(t, map[string]string{"ROLLCALL_DNS_RESOLVER": dns.Addr}, "--data-dir", t.TempDir())
	defer func() { s.cancel(); <-s.code }()
	if code, out, errOut := cli(t, s, s.key, "org", "create", "--slug", "acme", "--name", "Acme", "--owner", "alice@acme.com", "--seats", "5"); code != 0 {
		t.Fatalf("org create: %s %s", out, errOut)
	}
	if code, out, errOut := cli(t, s, s.key, "member", "add", "acme", "bob@acme.com"); code != 0 {
		t.Fatalf("member add: %s %s", out, errOut)
	}
	if code, out, errOut := cli(t, s, s.key, "member", "role", "acme", "Bob@Acme.com", "viewer"); code != 0 || !strings.Contains(out, "role viewer") {
		t.Fatalf("member role by email: %d %s %s", code, out, errOut)
	}
	if code, _, errOut := cli(t, s, s.key, "member", "remove", "acme", "nobody@acme.com"); code != 1 || !strings.Contains(errOut, "nobody@acme.com is not a member of acme") {
		t.Fatalf("remove an unknown email: %d %s", code, errOut)
	}
	if code, out, errOut := cli(t, s, s.key, "member", "remove", "acme", "bob@acme.com"); code != 0 || !strings.Contains(out, "removed") {
		t.Fatalf("member remove by email: %d %s %s", code, out, errOut)
	}
	if code, _, errOut := cli(t, s, s.key, "domain", "add", "acme", "acme.com"); code != 0 {
		t.Fatalf("domain add: %s", errOut)
	}
	if code, out, errOut := cli(t, s, s.key, "domain", "verify", "acme", "acme.com"); code != 1 || !strings.Contains(errOut, "not verified") || !strings.Contains(out, "TXT") {
		t.Fatalf("verify an unverified domain: %d %s %s", code, out, errOut)
	}
}
