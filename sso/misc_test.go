package sso_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rollcall/rollcall/domains"
	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/sso"
)

func fetch(t *testing.T, u string) string {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return string(raw)
}

// TestStartDiscovery: sign-in starts from an email (home-realm discovery through verified
// domains), an org slug, or a connection id; anything else gets a clear page.
func TestStartDiscovery(t *testing.T) {
	s := newSAMLEnv(t, onSQLite, nil, true)
	s.verifyDomain(s.acme.Org.ID, "acme.com")
	idpHost := mustURL(s.idp.srv.URL).Host
	for _, q := range []string{"email=Alice@ACME.com", "org=acme", "org=" + s.acme.Org.ID, "connection=" + s.conn.ID} {
		if p := newBrowser(t).get(s.srv.URL + "/sso/start?" + q); p.url.Host != idpHost {
			t.Fatalf("start?%s stayed at %s (%d): %s", q, p.url, p.status, p.message())
		}
	}
	for q, want := range map[string]int{"": 400, "email=bob@elsewhere.com": 404, "email=not-an-email": 400,
		"org=nope": 404, "connection=nope": 404} {
		if p := newBrowser(t).get(s.srv.URL + "/sso/start?" + q); p.status != want || p.message() == "" {
			t.Fatalf("start?%s: %d %q, want %d", q, p.status, p.message(), want)
		}
	}

	// The domains capability's discovery learns from HasSSO whether to send people here.
	dom, err := domains.New(s.h.Service, domains.Options{Resolver: lazyDNS{s.env}, Connections: s.sso})
	if err != nil {
		t.Fatal(err)
	}
	realm, err := dom.Discover(s.h.Ctx, "alice@acme.com")
	if err != nil || !realm.SSO || realm.StartURL != "/sso/start?org=acme" {
		t.Fatalf("discover: %+v %v", realm, err)
	}
	off := false
	if _, err := s.sso.Update(s.h.Ctx, provisioning.Operator(), s.acme.Org.ID, s.conn.ID, sso.ConnectionInput{Enabled: &off}); err != nil {
		t.Fatal(err)
	}
	if realm, _ := dom.Discover(s.h.Ctx, "alice@acme.com"); realm.SSO {
		t.Fatal("discovery still sends people to a disabled connection")
	}
	if p := newBrowser(t).get(s.srv.URL + "/sso/start?org=acme"); p.status != http.StatusNotFound {
		t.Fatalf("start with only a disabled connection: %d %s", p.status, p.message())
	}
}

// TestGeneratedSecretKey: without a configured key, one is generated once into the settings
// table, and the sealed client secret opens again (the OIDC sign-in authenticates with it).
func TestGeneratedSecretKey(t *testing.T) {
	e := newEnvWith(t, onSQLite, func(*sso.Options) {})
	o := newTestOP(t)
	conn := e.connection(map[string]any{"protocol": "oidc", "issuer": o.srv.URL, "clientId": opClientID, "clientSecret": opClientSecret})
	if n := e.count("SELECT COUNT(*) FROM settings WHERE key = 'sso.secret_key'"); n != 1 {
		t.Fatalf("%d generated keys stored", n)
	}
	o.client(conn.OIDC.RedirectURL)
	o.setUser("u1", "alice", "alice@example.com", true, "Alice", "")
	if p := o.signIn(newBrowser(t), conn.SignInURL, "alice"); p.url.Path != "/" {
		t.Fatalf("sign-in with the generated key: %d %s", p.status, p.message())
	}
}

func ptr[T any](v T) *T { return &v }

// TestPurge removes expired flows and codes but keeps live ones.
func TestPurge(t *testing.T) {
	s := newOIDCEnv(t, onSQLite, nil)
	newBrowser(t).get(s.conn.SignInURL)
	if n, err := s.sso.Purge(s.h.Ctx); err != nil || n != 0 {
		t.Fatalf("purge of a live flow: %d %v", n, err)
	}
	s.h.Clock.Advance(sso.DefaultFlowTTL + time.Second)
	if n, err := s.sso.Purge(s.h.Ctx); err != nil || n != 1 {
		t.Fatalf("purge of an expired flow: %d %v", n, err)
	}
}

// TestStartChooser: an org with several enabled connections lets the person choose, and each
// choice carries the app's redirect_uri and state to the sign-in it starts.
func TestStartChooser(t *testing.T) {
	s := newSAMLEnv(t, onSQLite, map[string]any{"name": "Okta", "redirectUris": []string{"https://app.example/cb"}}, true)
	second := s.connection(map[string]any{"protocol": "saml", "name": "Backup IdP", "idpEntityId": s.idp.metadataURL(),
		"idpSsoUrl": s.idp.srv.URL + "/sso", "idpCertificate": string(pemCert(s.idp.cert))})
	p := newBrowser(t).get(s.srv.URL + "/sso/start?org=acme&redirect_uri=" + url.QueryEscape("https://app.example/cb") + "&state=xyz")
	if p.status != http.StatusOK {
		t.Fatalf("chooser: %d %s", p.status, p.message())
	}
	for _, c := range []sso.Connection{s.conn, second} {
		want := "/sso/start?connection=" + c.ID + "&amp;redirect_uri=" + url.QueryEscape("https://app.example/cb") + "&amp;state=xyz"
		if !strings.Contains(p.body, want) || !strings.Contains(p.body, c.Name) {
			t.Fatalf("chooser lacks %s (%q):\n%s", c.Name, want, p.body)
		}
	}
	idpHost := mustURL(s.idp.srv.URL).Host
	if p := newBrowser(t).get(s.srv.URL + "/sso/start?connection=" + s.conn.ID + "&redirect_uri=" + url.QueryEscape("https://app.example/cb") + "&state=xyz"); p.url.Host != idpHost {
		t.Fatalf("a chosen connection stayed at %s (%d): %s", p.url, p.status, p.message())
	}
}
