package sso_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/sso"
)

// TestIdPCertificateRollover: the IdP rolls its signing certificate over through its metadata
// URL (next certificate published beside the current one, then signing switches, then the old
// one goes). The scheduled refresh follows each step, audited, with no failed sign-in; and when
// the IdP switches before Rollcall's refresh, the signature failure refreshes at once.
func TestIdPCertificateRollover(t *testing.T) {
	s := newSAMLEnv(t, onSQLite, nil, true)
	s.idp.setUser(idpUser{name: "alice", email: "alice@example.com"})
	s.mustSignIn("alice")
	refresh := func(want int64) {
		t.Helper()
		s.h.Clock.Advance(sso.DefaultMetadataRefresh)
		if n, err := s.sso.RefreshMetadata(s.h.Ctx); err != nil || n != want {
			t.Fatalf("refresh changed %d connections (%v), want %d", n, err, want)
		}
	}
	refresh(0)
	oldCert := s.idp.cert
	nextKey, nextCert := selfSigned(t, "Test IdP 2027")
	s.idp.publish(oldCert, nextCert)
	refresh(1)
	if c := s.view(); len(c.SAML.IDPCertificates) != 2 {
		t.Fatalf("during the rollover both certificates are trusted: %v", c.SAML.IDPCertificates)
	}
	s.idp.rollTo(nextKey, nextCert)
	s.mustSignIn("alice")
	s.idp.publish(nextCert)
	refresh(1)
	if c := s.view(); len(c.SAML.IDPCertificates) != 1 || c.SAML.MetadataCheckedAt == nil || c.SAML.MetadataError != "" {
		t.Fatalf("after the rollover: %+v", c.SAML)
	}
	if n := len(s.audits("sso.metadata_refreshed")); n != 2 {
		t.Fatalf("%d metadata changes audited, want 2", n)
	}

	// The IdP switches to a new certificate and publishes it alone; Rollcall has not refreshed.
	s.h.Clock.Advance(10 * time.Minute)
	lastKey, lastCert := selfSigned(t, "Test IdP 2028")
	s.idp.rollTo(lastKey, lastCert)
	s.idp.publish(lastCert)
	s.mustSignIn("alice")
	refreshed := s.audits("sso.metadata_refreshed")
	if len(refreshed) != 3 || !strings.Contains(refreshed[0].Reason, "signature failure") {
		t.Fatalf("the signature failure did not refresh the metadata: %+v", refreshed)
	}

	// Forged responses cannot make Rollcall fetch the metadata more than every few minutes.
	evilKey, evilCert := selfSigned(t, "Not the IdP")
	s.idp.rollTo(evilKey, evilCert)
	for range 3 {
		before, failed := s.counts(), len(s.audits("sso.sign_in_failed"))
		p, _ := s.signIn("alice")
		s.refused(p, before, failed, http.StatusUnauthorized, "signature")
	}
	if n := s.count("SELECT COUNT(*) FROM audit_events WHERE action = 'sso.metadata_refreshed'"); n != 3 {
		t.Fatalf("%d refreshes", n)
	}
}

// view reads the connection as its admins see it.
func (s *samlEnv) view() sso.Connection {
	s.t.Helper()
	c, err := s.sso.Get(s.h.Ctx, provisioning.Operator(), s.acme.Org.ID, s.conn.ID)
	if err != nil {
		s.t.Fatal(err)
	}
	return c
}

// TestIdPCertificateExpiry: an already expired IdP certificate is refused when the connection
// is saved; one that expires within 30 days is shown as a warning and audited once.
func TestIdPCertificateExpiry(t *testing.T) {
	e := newEnv(t, onSQLite)
	now := e.h.Clock.Now()
	_, expired := selfSignedUntil(t, "Old IdP", now.AddDate(-2, 0, 0), now.Add(-time.Hour))
	in := map[string]any{"protocol": "saml", "idpEntityId": "https://idp.example/old", "idpSsoUrl": "https://idp.example/sso",
		"idpCertificate": string(pemCert(expired))}
	if res := e.call(e.op, "POST", "/orgs/acme/sso/connections", in); res.Status != http.StatusBadRequest ||
		!strings.Contains(string(res.Raw), "signing certificate expired on") {
		t.Fatalf("an expired certificate: %d %s", res.Status, res.Raw)
	}

	_, soon := selfSignedUntil(t, "Soon IdP", now.AddDate(-1, 0, 0), now.AddDate(0, 0, 10))
	in["idpCertificate"] = string(pemCert(soon))
	c := e.connection(in)
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "expires on") || c.SAML.IDPCertificateStatus[0].NotAfter.IsZero() {
		t.Fatalf("warnings %v, certificates %+v", c.Warnings, c.SAML.IDPCertificateStatus)
	}
	for range 2 {
		if _, err := e.sso.RefreshMetadata(e.h.Ctx); err != nil {
			t.Fatal(err)
		}
	}
	if warned := e.audits("sso.idp_certificate_expiring"); len(warned) != 1 || !strings.Contains(warned[0].Reason, "expires on") {
		t.Fatalf("expiry audited %d times: %+v", len(warned), warned)
	}
}
