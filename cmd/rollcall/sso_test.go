package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rollcall/rollcall/sso/ssotest"
)

// TestSSOConnectionCommands drives rollcall sso connection create|update|list|delete against a real
// server, and checks the SSO endpoints are mounted there.
func TestSSOConnectionCommands(t *testing.T) {
	issuer := ssotest.DiscoveryStub(t, nil)
	s := startServe(t, nil, "--data-dir", t.TempDir(), "--sso-allow-private-fetch")
	defer func() { s.cancel(); <-s.code }()
	if code, out, errOut := cli(t, s, s.key, "org", "create", "--slug", "acme", "--name", "Acme", "--owner", "alice@acme.com"); code != 0 {
		t.Fatalf("org create: %s %s", out, errOut)
	}
	certPath := writeCert(t)
	code, out, errOut := cli(t, s, s.key, "sso", "connection", "create", "acme", "--protocol", "saml", "--name", "Okta",
		"--entity-id", "https://idp.example/entity", "--sso-url", "https://idp.example/sso", "--cert-file", certPath,
		"--group-role", "admins=admin", "--group-role", "eng=member", "--redirect-uri", "https://app.example/cb")
	id := regexp.MustCompile(`Created SAML connection (\S+)`).FindStringSubmatch(out)
	if code != 0 || id == nil || !strings.Contains(out, "/sso/saml/"+id[1]+"/acs") || !strings.Contains(out, "/sso/start?connection=") {
		t.Fatalf("saml create: %d %s %s", code, out, errOut)
	}
	if code, body := httpGet(t, s.url+"/sso/saml/"+id[1]+"/metadata"); code != 200 || !strings.Contains(body, "EntityDescriptor") {
		t.Fatalf("SP metadata through the server: %d %s", code, body)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noFollow.Get(s.url + "/sso/start?org=acme")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusFound || !strings.HasPrefix(res.Header.Get("Location"), "https://idp.example/sso?SAMLRequest=") {
		t.Fatalf("start through the server: %d %s", res.StatusCode, res.Header.Get("Location"))
	}

	var stdout, stderr syncBuffer
	code = run(context.Background(), []string{"sso", "connection", "create", "acme", "--protocol", "oidc", "--issuer", issuer,
		"--client-id", "rollcall", "--client-secret", "-", "--jit=false", "--json"},
		envFrom(map[string]string{"ROLLCALL_URL": s.url, "ROLLCALL_TOKEN": s.key}), strings.NewReader("very-secret\n"), &stdout, &stderr)
	if code != 0 || !strings.Contains(stdout.String(), `"hasClientSecret": true`) || !strings.Contains(stdout.String(), `"jit": false`) ||
		strings.Contains(stdout.String(), "very-secret") {
		t.Fatalf("oidc create: %d %s %s", code, stdout.String(), stderr.String())
	}

	if code, out, errOut := cli(t, s, s.key, "sso", "connection", "update", "acme", id[1], "--name", "Okta prod", "--enabled=false"); code != 0 ||
		!strings.Contains(out, "Updated SAML connection "+id[1]+" (Okta prod)") {
		t.Fatalf("update: %d %s %s", code, out, errOut)
	}
	if code, _, errOut := cli(t, s, s.key, "sso", "connection", "update", "acme", id[1]); code != exitUsage || !strings.Contains(errOut, "at least one setting") {
		t.Fatalf("update without a change: %d %s", code, errOut)
	}
	if code, out, _ := cli(t, s, s.key, "sso", "connection", "list", "acme"); code != 0 || !strings.Contains(out, id[1]) ||
		!strings.Contains(out, "https://idp.example/entity") || !strings.Contains(out, issuer) {
		t.Fatalf("list: %d %s", code, out)
	}
	if code, _, errOut := cli(t, s, s.key, "sso", "connection", "create", "acme", "--protocol", "saml", "--group-role", "admins"); code != exitUsage || !strings.Contains(errOut, "GROUP=ROLE") {
		t.Fatalf("bad --group-role: %d %s", code, errOut)
	}
	if code, _, errOut := cli(t, s, s.key, "sso", "connection", "create", "acme", "--issuer", "https://x.example"); code != exitFailure || !strings.Contains(errOut, "protocol") {
		t.Fatalf("missing protocol: %d %s", code, errOut)
	}
	if code, out, errOut := cli(t, s, s.key, "sso", "connection", "delete", "acme", id[1]); code != 0 || !strings.Contains(out, "Deleted") {
		t.Fatalf("delete: %d %s %s", code, out, errOut)
	}
	if code, out, _ := cli(t, s, s.key, "sso", "connection", "list", "acme"); code != 0 || strings.Contains(out, id[1]) {
		t.Fatalf("list after delete: %d %s", code, out)
	}
}

func writeCert(t *testing.T) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "idp"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "idp.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestSPKeyCommands drives rollcall sso sp-key show|rotate|activate against a real server.
func TestSPKeyCommands(t *testing.T) {
	s := startServe(t, nil, "--data-dir", t.TempDir(), "--sso-sp-key-grace-period", "48h")
	defer func() { s.cancel(); <-s.code }()
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"show"}, "No rotation in progress."},
		{[]string{"activate"}, "No SAML service-provider key rotation is in progress"},
		{[]string{"rotate"}, "Requests are still signed with the old key"},
		{[]string{"rotate"}, "rotation is in progress until"},
		{[]string{"activate"}, "Requests are signed with the new key since"},
		{[]string{"show"}, "Requests are signed with the new key since"},
	}
	var started, retires string
	for _, st := range steps {
		_, out, errOut := cli(t, s, s.key, append([]string{"sso", "sp-key"}, st.args...)...)
		if !strings.Contains(out+errOut, st.want) {
			t.Fatalf("sso sp-key %v: %q %q, want %q", st.args, out, errOut, st.want)
		}
		if m := regexp.MustCompile(`started (\S+); .* until (\S+):`).FindStringSubmatch(out); m != nil {
			started, retires = m[1], m[2]
		}
	}
	from, err1 := time.Parse(time.RFC3339, started)
	to, err2 := time.Parse(time.RFC3339, retires)
	if err1 != nil || err2 != nil || to.Sub(from).Round(time.Second) != 48*time.Hour {
		t.Fatalf("--sso-sp-key-grace-period 48h: the rotation runs from %q to %q", started, retires)
	}
}
