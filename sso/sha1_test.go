package sso_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/sso"
)

// TestSAMLSHA1Signatures: a response signed with SHA-1 (an IdP signing with rsa-sha1, or an
// assertion whose digest is sha1) is refused with a page saying so, until an admin allows SHA-1
// on the connection, which then shows a warning.
func TestSAMLSHA1Signatures(t *testing.T) {
	cases := []struct {
		name string
		// post runs one sign-in with a SHA-1 signature and returns the page it lands on.
		post func(s *samlEnv) page
	}{
		{"IdP signs with rsa-sha1", func(s *samlEnv) page {
			s.idp.idp.IDP.SignatureMethod = dsig.RSASHA1SignatureMethod
			p, _ := s.signIn("alice")
			return p
		}},
		{"assertion with a sha1 digest", func(s *samlEnv) page {
			b, f, doc := s.capture("alice")
			s.resignWith(doc, crypto.SHA1, dsig.RSASHA1SignatureMethod)
			s.resignSignedInfo(assertionOf(doc).FindElement("./Signature/SignedInfo"))
			return postDoc(s.t, b, f, doc, "")
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newSAMLEnv(t, onSQLite, nil, false)
			s.idp.setUser(idpUser{name: "alice", email: "alice@acme.com"})
			if len(s.conn.Warnings) != 0 || s.conn.SAML.AllowSHA1Signatures {
				t.Fatalf("a new connection: warnings %q, allowSha1Signatures %v", s.conn.Warnings, s.conn.SAML.AllowSHA1Signatures)
			}
			reason := s.refused(c.post(s), s.counts(), 0, http.StatusUnauthorized, "signed with SHA-1, which Rollcall refuses")
			t.Log(reason)

			admin := s.token(s.acme.Org.ID, "admin@acme.com", provisioning.RoleAdmin)
			res := s.call(admin, "PATCH", "/orgs/acme/sso/connections/"+s.conn.ID, map[string]any{"allowSha1Signatures": true})
			v := decode[struct{ Connection sso.Connection }](t, res.Raw).Connection
			if res.Status != http.StatusOK || !v.SAML.AllowSHA1Signatures || len(v.Warnings) != 1 {
				t.Fatalf("allow SHA-1: %d %s", res.Status, res.Raw)
			}
			if p := c.post(s); p.url.Path != "/" {
				t.Fatalf("SHA-1 allowed, still refused: %d %s", p.status, p.message())
			}
			res = s.call(admin, "PATCH", "/orgs/acme/sso/connections/"+s.conn.ID, map[string]any{"allowSha1Signatures": false})
			if v := decode[struct{ Connection sso.Connection }](t, res.Raw).Connection; len(v.Warnings) != 0 {
				t.Fatalf("SHA-1 off again, warnings stay: %q", v.Warnings)
			}
		})
	}
}

// resignSignedInfo turns a signature with SHA-1 digests into an rsa-sha256 one over the same
// SignedInfo (goxmldsig signs with one hash for both), so only the digests stay SHA-1.
func (s *samlEnv) resignSignedInfo(si *etree.Element) {
	s.t.Helper()
	si.FindElement("./SignatureMethod").CreateAttr("Algorithm", dsig.RSASHA256SignatureMethod)
	ns, err := etreeutils.NSBuildParentContext(si)
	if err != nil {
		s.t.Fatal(err)
	}
	detached, err := etreeutils.NSDetatch(ns, si)
	if err != nil {
		s.t.Fatal(err)
	}
	canon, err := dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("").Canonicalize(detached)
	if err != nil {
		s.t.Fatal(err)
	}
	sum := sha256.Sum256(canon)
	sig, err := rsa.SignPKCS1v15(rand.Reader, s.idp.key, crypto.SHA256, sum[:])
	if err != nil {
		s.t.Fatal(err)
	}
	si.Parent().FindElement("./SignatureValue").SetText(base64.StdEncoding.EncodeToString(sig))
}
