package sso_test

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/rollcall/rollcall/sso"
)

// bodyMarker is in every answer of the misbehaving servers below: no error text or audit record
// may quote it.
const bodyMarker = "internal-detail-7f3a"

// TestFetchRulesByDefault: without the operator's setting, a metadata URL or issuer on
// loopback is refused (http as a setting, https with the generic fetch text), before any
// connection reaches the listener.
func TestFetchRulesByDefault(t *testing.T) {
	e := newEnvWith(t, onSQLite, func(o *sso.Options) { o.AllowPrivateFetch = false })
	idp := newSAMLIdP(t, e.h.Clock)
	var conns atomic.Int32
	tlsIdP := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, bodyMarker) }))
	tlsIdP.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	tlsIdP.StartTLS()
	defer tlsIdP.Close()

	res := e.call(e.op, "POST", "/orgs/acme/sso/connections", map[string]any{"protocol": "saml", "idpMetadataUrl": idp.metadataURL()})
	expectInvalid(t, res, "idpMetadataUrl", "must use https")
	res = e.call(e.op, "POST", "/orgs/acme/sso/connections", map[string]any{"protocol": "saml", "idpMetadataUrl": tlsIdP.URL + "/metadata"})
	expectInvalid(t, res, "idpMetadataUrl", "Rollcall could not fetch the IdP metadata from "+tlsIdP.URL+"/metadata.")
	res = e.call(e.op, "POST", "/orgs/acme/sso/connections", map[string]any{"protocol": "oidc", "issuer": tlsIdP.URL, "clientId": "x"})
	expectInvalid(t, res, "issuer", "Rollcall could not fetch the OpenID Provider's discovery document from "+tlsIdP.URL+"/.well-known/openid-configuration.")
	res = e.call(e.op, "POST", "/orgs/acme/sso/connections", map[string]any{"protocol": "oidc", "issuer": newTestOP(t).srv.URL, "clientId": "x"})
	expectInvalid(t, res, "issuer", "must use https")
	if n := conns.Load(); n != 0 {
		t.Fatalf("%d connections reached the loopback IdP", n)
	}
}

// TestFetchFailuresLookAlike: whatever goes wrong — closed port, a port that does not speak
// HTTP, an HTTP error, an oversized answer — the admin reads the same text, which quotes
// nothing the server answered.
func TestFetchFailuresLookAlike(t *testing.T) {
	e := newEnv(t, onSQLite)
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	closedAddr := closed.Addr().String()
	closed.Close()
	garbage, _ := net.Listen("tcp", "127.0.0.1:0")
	defer garbage.Close()
	go func() {
		for {
			c, err := garbage.Accept()
			if err != nil {
				return
			}
			_, _ = io.WriteString(c, bodyMarker+"\r\n\r\n")
			c.Close()
		}
	}()
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/big/metadata" {
			_, _ = io.WriteString(w, strings.Repeat(bodyMarker, 1<<20/len(bodyMarker)+1))
			return
		}
		http.Error(w, bodyMarker, http.StatusNotFound)
	}))
	defer web.Close()

	var texts []string
	for _, host := range []string{"http://" + closedAddr, "http://" + garbage.Addr().String(), web.URL, web.URL + "/big"} {
		res := e.call(e.op, "POST", "/orgs/acme/sso/connections", map[string]any{"protocol": "saml", "idpMetadataUrl": host + "/metadata"})
		expectInvalid(t, res, "idpMetadataUrl", "Rollcall could not fetch the IdP metadata from "+host+"/metadata.")
		texts = append(texts, strings.ReplaceAll(string(res.Raw), host, "URL"))
		res = e.call(e.op, "POST", "/orgs/acme/sso/connections", map[string]any{"protocol": "oidc", "issuer": host, "clientId": "x"})
		expectInvalid(t, res, "issuer", "Rollcall could not fetch the OpenID Provider's discovery document from "+host+"/.well-known/openid-configuration.")
		texts = append(texts, strings.ReplaceAll(string(res.Raw), host, "URL"))
	}
	for i, text := range texts {
		if text != texts[i%2] || strings.Contains(text, bodyMarker) {
			t.Fatalf("answer %d differs from the others or quotes the server:\n%s\n%s", i, text, texts[i%2])
		}
	}
}

// TestOIDCFetchFailuresAtSignIn: when the OP's keys or userinfo endpoint fail during a
// sign-in, the page and the audit record say Rollcall could not fetch them, quoting nothing
// the OP answered.
func TestOIDCFetchFailuresAtSignIn(t *testing.T) {
	for _, c := range []struct{ path, want string }{
		{"/keys", "Rollcall could not fetch the identity provider's signing keys"},
		{"/userinfo", "Rollcall could not fetch your profile"},
	} {
		t.Run(c.path, func(t *testing.T) {
			s := newOIDCEnv(t, onSQLite, nil)
			s.op.setUser("u1", "alice", "alice@example.com", true, "Alice", "")
			s.op.breakEndpoint(c.path)
			before := s.counts()
			p, _ := s.signIn("alice")
			reason := s.refusedT(t, p, before, 0, http.StatusServiceUnavailable, c.want)
			if !strings.Contains(reason, c.want) || strings.Contains(reason, bodyMarker) || strings.Contains(p.body, bodyMarker) {
				t.Fatalf("the failure quotes the OP's answer: page %q, audit %q", p.message(), reason)
			}
		})
	}
}

// TestConnectionAuditQuotesNoDocument: the audit records of saving a connection from a
// metadata URL keep its settings, not the fetched document.
func TestConnectionAuditQuotesNoDocument(t *testing.T) {
	s := newSAMLEnv(t, onSQLite, nil, false)
	if res := s.call(s.op, "PATCH", "/orgs/acme/sso/connections/"+s.conn.ID, map[string]any{"idpMetadataUrl": s.idp.metadataURL()}); res.Status != http.StatusOK {
		t.Fatalf("update: %d %s", res.Status, res.Raw)
	}
	events := append(s.audits("sso.connection_created"), s.audits("sso.connection_updated")...)
	if len(events) != 2 {
		t.Fatalf("%d audit events, want 2", len(events))
	}
	for _, a := range events {
		for _, raw := range [][]byte{a.Before, a.After} {
			if strings.Contains(string(raw), "X509Certificate") || strings.Contains(string(raw), "IDPSSODescriptor") {
				t.Fatalf("%s quotes the fetched metadata: %s", a.Action, raw)
			}
		}
	}
}
