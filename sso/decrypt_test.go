package sso_test

import (
	"encoding/base64"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/beevik/etree"
	"github.com/crewjam/saml/xmlenc"
)

// TestSAMLRefusedEncryption: an IdP that encrypts with RSA PKCS#1 v1.5 key transport or 3DES
// is refused with a page naming the algorithm, before any SP key is used.
func TestSAMLRefusedEncryption(t *testing.T) {
	tripleDES := xmlenc.OAEP()
	tripleDES.BlockCipher = xmlenc.TripleDES
	cases := []struct {
		name string
		enc  xmlenc.Encrypter
		want string
	}{
		{"rsa-1_5 key transport", xmlenc.PKCS1v15(), "RSA PKCS#1 v1.5 key transport (rsa-1_5)"},
		{"3DES block cipher", tripleDES, "Triple DES (tripledes-cbc)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newSAMLEnv(t, onSQLite, nil, true)
			s.idp.setUser(idpUser{name: "alice", email: "alice@acme.com"})
			s.idp.idp.IDP.AssertionEncrypter = c.enc
			b := newBrowser(t)
			f := s.idp.signIn(b, s.conn.SignInURL, "alice")
			s.refused(b.submit(f, nil), s.counts(), 0, http.StatusUnauthorized, c.want)
		})
	}
}

// TestSAMLDecryptionFailuresLookAlike: however a forged encrypted assertion fails to decrypt
// (key transport, block padding, plaintext that is no XML), the person sees the same page and
// the audit log the same reason, so failures are no oracle against the SP key.
func TestSAMLDecryptionFailuresLookAlike(t *testing.T) {
	s := newSAMLEnv(t, onSQLite, nil, true)
	s.idp.setUser(idpUser{name: "alice", email: "alice@acme.com"})
	cbc := xmlenc.OAEP()
	cbc.BlockCipher = xmlenc.AES128CBC
	s.idp.idp.IDP.AssertionEncrypter = cbc

	flip := func(path string, at func(n int) int) func(*etree.Document) {
		return func(doc *etree.Document) {
			el := doc.Root().FindElement(path)
			raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(el.Text()), ""))
			if err != nil {
				t.Fatal(err)
			}
			raw[at(len(raw))] ^= 0x80
			el.SetText(base64.StdEncoding.EncodeToString(raw))
		}
	}
	data := "./EncryptedAssertion/EncryptedData/CipherData/CipherValue"
	cases := []struct {
		name   string
		tamper func(*etree.Document)
	}{
		{"key transport ciphertext altered", flip("./EncryptedAssertion//EncryptedKey/CipherData/CipherValue", func(int) int { return 7 })},
		// CBC: a change in the second-to-last block changes the last block's padding byte.
		{"block padding broken", flip(data, func(n int) int { return n - 17 })},
		// A change in the IV changes the first plaintext block: the plaintext is no XML.
		{"plaintext not XML", flip(data, func(int) int { return 0 })},
	}
	var page, reason string
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, f, doc := s.capture("alice")
			removeSignature(doc.Root())
			c.tamper(doc)
			before, failed := s.counts(), len(s.audits("sso.sign_in_failed"))
			p := postDoc(t, b, f, doc, "")
			got := s.refusedT(t, p, before, failed, http.StatusUnauthorized, "could not be decrypted")
			got = refSuffix.ReplaceAllString(got, "") // each request's own reference
			if page == "" {
				page, reason = p.message(), got
			}
			if p.message() != page || got != reason {
				t.Fatalf("decryption failures differ:\n%q / %q\n%q / %q", p.message(), got, page, reason)
			}
		})
	}
	if p, _ := s.signIn("alice"); p.url.Path != "/" {
		t.Fatalf("an untampered CBC-encrypted sign-in was refused: %d %s", p.status, p.message())
	}
}

// refSuffix is the request reference an audited failure carries.
var refSuffix = regexp.MustCompile(` \[ref [^\]]+\]`)
