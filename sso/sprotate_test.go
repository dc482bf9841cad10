package sso_test

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/crewjam/saml"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/sso"
)

// TestSPKeyRotation: the operator rotates the SP key. For the grace period both certificates
// are in the SP metadata and both keys decrypt, so an IdP still encrypting to the old
// certificate keeps working; requests are signed with the old key until the operator activates
// the new one; at the end of the grace period the old key is gone.
func TestSPKeyRotation(t *testing.T) {
	s := newSAMLEnv(t, onSQLite, nil, true)
	s.idp.setUser(idpUser{name: "alice", email: "alice@acme.com"})
	status := func(res apiResponse) sso.SPKeyStatus {
		t.Helper()
		if res.Status != http.StatusOK {
			t.Fatalf("%d %s", res.Status, res.Raw)
		}
		return decode[sso.SPKeyStatus](t, res.Raw)
	}
	before := status(s.call(s.op, "GET", "/sso/sp-certificate", nil))
	old := parsePEM(t, before.Certificate.PEM)
	if before.Rotation != nil {
		t.Fatalf("a rotation before any: %+v", before.Rotation)
	}
	admin := s.token(s.acme.Org.ID, "admin@acme.com", provisioning.RoleAdmin)
	for _, step := range []string{"rotate", "activate"} {
		if res := s.call(admin, "POST", "/sso/sp-certificate/"+step, nil); res.Status != http.StatusForbidden {
			t.Fatalf("an org admin could %s the installation's key: %d", step, res.Status)
		}
	}
	if res := s.call(s.op, "POST", "/sso/sp-certificate/activate", nil); res.Status != http.StatusConflict {
		t.Fatalf("activate without a rotation: %d %s", res.Status, res.Raw)
	}

	started := s.h.Clock.Now()
	rot := status(s.call(s.op, "POST", "/sso/sp-certificate/rotate", nil))
	if rot.Rotation == nil || rot.Certificate.FingerprintSHA256 != before.Certificate.FingerprintSHA256 ||
		rot.Rotation.New.FingerprintSHA256 == before.Certificate.FingerprintSHA256 || rot.Rotation.ActivatedAt != nil ||
		!rot.Rotation.RetiresAt.Equal(started.Add(sso.DefaultSPKeyGracePeriod)) {
		t.Fatalf("rotate: %+v", rot)
	}
	fresh := parsePEM(t, rot.Rotation.New.PEM)
	if res := s.call(s.op, "POST", "/sso/sp-certificate/rotate", nil); res.Status != http.StatusConflict {
		t.Fatalf("a second rotation during the first: %d %s", res.Status, res.Raw)
	}
	wantKeys := func(certs ...*x509.Certificate) {
		t.Helper()
		for _, use := range []string{"signing", "encryption"} {
			got := spCerts(t, s.conn.SAML.MetadataURL, use)
			if len(got) != len(certs) {
				t.Fatalf("%s certificates in the SP metadata: %d, want %d", use, len(got), len(certs))
			}
			for i, c := range certs {
				if !got[i].Equal(c) {
					t.Fatalf("%s certificate %d in the SP metadata is not the expected one", use, i)
				}
			}
		}
	}
	wantKeys(old, fresh)
	if signer := requestSigner(t, s.conn.SignInURL, old, fresh); signer != old {
		t.Fatal("before activation, requests are not signed with the old key")
	}
	if p, _ := s.signIn("alice"); p.url.Path != "/" {
		t.Fatalf("sign-in with an IdP still on the old metadata: %d %s", p.status, p.message())
	}

	// The IdP loads the metadata with both certificates, but keeps encrypting to the old one.
	s.idp.registerKeys(s.conn, func(kd saml.KeyDescriptor) bool { return kd.Use == "signing" || certOf(t, kd).Equal(old) })
	s.h.Clock.Advance(3 * 24 * time.Hour)
	act := status(s.call(s.op, "POST", "/sso/sp-certificate/activate", nil))
	if act.Certificate.FingerprintSHA256 != rot.Rotation.New.FingerprintSHA256 || act.Rotation == nil || act.Rotation.ActivatedAt == nil {
		t.Fatalf("activate: %+v", act)
	}
	if again := status(s.call(s.op, "POST", "/sso/sp-certificate/activate", nil)); again.Certificate != act.Certificate {
		t.Fatalf("activating twice changed the keys: %+v", again)
	}
	wantKeys(fresh, old)
	if signer := requestSigner(t, s.conn.SignInURL, old, fresh); signer != fresh {
		t.Fatal("after activation, requests are not signed with the new key")
	}
	if p, _ := s.signIn("alice"); p.url.Path != "/" {
		t.Fatalf("sign-in encrypted to the old key after activation: %d %s", p.status, p.message())
	}

	// The grace period ends: the old key is neither published nor decrypting.
	s.h.Clock.Advance(sso.DefaultSPKeyGracePeriod - 3*24*time.Hour + time.Minute)
	wantKeys(fresh)
	if st := status(s.call(s.op, "GET", "/sso/sp-certificate", nil)); st.Rotation != nil || st.Certificate != act.Certificate {
		t.Fatalf("after the grace period: %+v", st)
	}
	before2 := s.counts()
	b := newBrowser(t)
	s.refused(b.submit(s.idp.signIn(b, s.conn.SignInURL, "alice"), nil), before2, 0, http.StatusUnauthorized, "could not be decrypted")
	s.idp.register(s.conn, true)
	if p, _ := s.signIn("alice"); p.url.Path != "/" {
		t.Fatalf("sign-in with the new metadata after the grace period: %d %s", p.status, p.message())
	}
	if _, err := s.sso.Purge(s.h.Ctx); err != nil {
		t.Fatal(err)
	}
	if n := s.count("SELECT COUNT(*) FROM settings WHERE key = 'sso.sp_key.next' AND value <> ''"); n != 0 {
		t.Fatal("purge did not retire the rotation")
	}
	wantKeys(fresh)
	if res := s.call(s.op, "POST", "/sso/sp-certificate/rotate", nil); res.Status != http.StatusOK {
		t.Fatalf("a new rotation after the last one ended: %d %s", res.Status, res.Raw)
	}
}

// TestSPKeyGracePeriodOption: Options.SPKeyGracePeriod sets the overlap.
func TestSPKeyGracePeriodOption(t *testing.T) {
	e := newEnvWith(t, onSQLite, func(o *sso.Options) { o.SPKeyGracePeriod = time.Hour })
	st, err := e.sso.RotateSPKey(e.h.Ctx, provisioning.Operator())
	if err != nil || st.Rotation == nil || !st.Rotation.RetiresAt.Equal(e.h.Clock.Now().Add(time.Hour)) {
		t.Fatalf("rotate: %+v %v", st, err)
	}
	e.h.Clock.Advance(time.Hour)
	if st, err := e.sso.SPCertificate(e.h.Ctx); err != nil || st.Rotation != nil {
		t.Fatalf("after an hour: %+v %v", st, err)
	}
}

func parsePEM(t *testing.T, s string) *x509.Certificate {
	t.Helper()
	b, _ := pem.Decode([]byte(s))
	if b == nil {
		t.Fatalf("not PEM: %q", s)
	}
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func certOf(t *testing.T, kd saml.KeyDescriptor) *x509.Certificate {
	t.Helper()
	der, err := base64.StdEncoding.DecodeString(kd.KeyInfo.X509Data.X509Certificates[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// spCerts lists the SP metadata's certificates for use, in order.
func spCerts(t *testing.T, metadataURL, use string) []*x509.Certificate {
	t.Helper()
	var md saml.EntityDescriptor
	if err := xml.Unmarshal([]byte(fetch(t, metadataURL)), &md); err != nil {
		t.Fatal(err)
	}
	var out []*x509.Certificate
	for _, d := range md.SPSSODescriptors {
		for _, kd := range d.KeyDescriptors {
			if kd.Use == use {
				out = append(out, certOf(t, kd))
			}
		}
	}
	return out
}

// requestSigner starts a sign-in and returns which of certs verifies the HTTP-Redirect
// signature of the AuthnRequest (nil: none).
func requestSigner(t *testing.T, startURL string, certs ...*x509.Certificate) *x509.Certificate {
	t.Helper()
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noFollow.Get(startURL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil || loc.Query().Get("Signature") == "" {
		t.Fatalf("start did not redirect with a signed request: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if loc.Query().Get("SigAlg") != "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" {
		t.Fatalf("SigAlg %q", loc.Query().Get("SigAlg"))
	}
	var signed []string
	for _, part := range strings.Split(loc.RawQuery, "&") {
		if name, _, _ := strings.Cut(part, "="); name == "SAMLRequest" || name == "RelayState" || name == "SigAlg" {
			signed = append(signed, part)
		}
	}
	sig, err := base64.StdEncoding.DecodeString(loc.Query().Get("Signature"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(strings.Join(signed, "&")))
	for _, c := range certs {
		if rsa.VerifyPKCS1v15(c.PublicKey.(*rsa.PublicKey), crypto.SHA256, sum[:], sig) == nil {
			return c
		}
	}
	return nil
}
