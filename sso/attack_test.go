package sso_test

import (
	"crypto"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/sso"
)

// capture runs a fresh SP-initiated sign-in up to the IdP's answer and returns it unsubmitted,
// with its XML parsed for tampering.
func (s *samlEnv) capture(user string) (*browser, form, *etree.Document) {
	s.t.Helper()
	b := newBrowser(s.t)
	f := s.idp.signIn(b, s.conn.SignInURL, user)
	raw, err := base64.StdEncoding.DecodeString(f.fields.Get("SAMLResponse"))
	if err != nil {
		s.t.Fatal(err)
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(raw); err != nil {
		s.t.Fatal(err)
	}
	return b, f, doc
}

// postDoc submits a (tampered) response document with the form's RelayState.
func postDoc(t *testing.T, b *browser, f form, doc *etree.Document, prefix string) page {
	t.Helper()
	raw, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	return b.submit(f, map[string]string{"SAMLResponse": base64.StdEncoding.EncodeToString(append([]byte(prefix), raw...))})
}

func removeSignature(el *etree.Element) {
	for _, c := range el.ChildElements() {
		if c.Tag == "Signature" {
			el.RemoveChild(c)
		}
	}
}

func assertionOf(doc *etree.Document) *etree.Element { return doc.Root().FindElement("./Assertion") }

// resign drops the response's signature and signs the (changed) assertion with the IdP's own
// key: a validly signed assertion saying whatever the test wants.
func (s *samlEnv) resign(doc *etree.Document) {
	s.t.Helper()
	s.resignWith(doc, crypto.SHA256, dsig.RSASHA256SignatureMethod)
}

// resignWith is resign with the given digest and signature method.
func (s *samlEnv) resignWith(doc *etree.Document, digest crypto.Hash, method string) {
	s.t.Helper()
	resp := doc.Root()
	removeSignature(resp)
	as := assertionOf(doc)
	removeSignature(as)
	ctx := dsig.NewDefaultSigningContext(dsig.TLSCertKeyStore(tls.Certificate{
		Certificate: [][]byte{s.idp.cert.Raw}, PrivateKey: s.idp.key, Leaf: s.idp.cert}))
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	ctx.Hash = digest
	if err := ctx.SetSignatureMethod(method); err != nil {
		s.t.Fatal(err)
	}
	signed, err := ctx.SignEnveloped(as)
	if err != nil {
		s.t.Fatal(err)
	}
	idx := as.Index()
	resp.RemoveChildAt(idx)
	resp.InsertChildAt(idx, signed)
}

func setText(doc *etree.Document, path, value string) {
	assertionOf(doc).FindElement(path).SetText(value)
}

func setAttr(doc *etree.Document, path, attr, value string) {
	el := doc.Root()
	if path != "" {
		el = el.FindElement(path)
	}
	el.CreateAttr(attr, value)
}

func samlTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.999Z07:00") }

// TestSAMLAttacks tampers with genuine responses of a real IdP. Each is refused with a clear
// page, and nothing but the failure's audit event is written. A genuine assertion re-signed
// with the IdP key is accepted, which shows the refusals are for the tampering, not the
// re-signing.
func TestSAMLAttacks(t *testing.T) {
	s := newSAMLEnv(t, onSQLite, nil, false)
	s.idp.setUser(idpUser{name: "alice", email: "alice@acme.com", first: "Alice"})
	s.idp.setUser(idpUser{name: "mallory", email: "mallory@acme.com", first: "Mallory"})

	b, f, doc := s.capture("mallory")
	s.resign(doc)
	if p := postDoc(t, b, f, doc, ""); p.url.Path != "/" {
		t.Fatalf("a genuine assertion re-signed with the IdP key was refused: %d %s", p.status, p.message())
	}

	now := s.h.Clock.Now()
	cases := []struct {
		name   string
		tamper func(doc *etree.Document)
		prefix string
		status int
		want   string
	}{
		{"unsigned assertion", func(doc *etree.Document) {
			removeSignature(doc.Root())
			removeSignature(assertionOf(doc))
		}, "", http.StatusUnauthorized, "not signed"},
		{"altered NameID under a signed response", func(doc *etree.Document) {
			setText(doc, "./Subject/NameID", "alice@acme.com")
		}, "", http.StatusUnauthorized, "signature"},
		{"altered NameID under a signed assertion", func(doc *etree.Document) {
			removeSignature(doc.Root())
			setText(doc, "./Subject/NameID", "alice@acme.com")
		}, "", http.StatusUnauthorized, "signature"},
		{"altered email attribute", func(doc *etree.Document) {
			removeSignature(doc.Root())
			for _, v := range assertionOf(doc).FindElements(".//AttributeValue") {
				if v.Text() == "mallory@acme.com" {
					v.SetText("alice@acme.com")
				}
			}
		}, "", http.StatusUnauthorized, "signature"},
		{"signature over a different element", func(doc *etree.Document) {
			removeSignature(doc.Root())
			setAttr(doc, "./Assertion", "ID", "id-forged")
		}, "", http.StatusUnauthorized, "signature"},
		{"wrapping: forged assertion beside the signed one", func(doc *etree.Document) {
			removeSignature(doc.Root())
			forged := assertionOf(doc).Copy()
			removeSignature(forged)
			forged.CreateAttr("ID", "id-forged")
			forged.FindElement("./Subject/NameID").SetText("alice@acme.com")
			doc.Root().InsertChildAt(assertionOf(doc).Index(), forged)
		}, "", http.StatusBadRequest, "exactly one assertion; this one contains 2"},
		{"wrapping: signed assertion hidden in Extensions", func(doc *etree.Document) {
			removeSignature(doc.Root())
			genuine := assertionOf(doc)
			forged := genuine.Copy()
			removeSignature(forged)
			forged.FindElement("./Subject/NameID").SetText("alice@acme.com")
			doc.Root().RemoveChild(genuine)
			ext := doc.Root().CreateElement("samlp:Extensions")
			ext.AddChild(genuine)
			doc.Root().AddChild(forged)
		}, "", http.StatusBadRequest, "exactly one assertion"},
		{"two genuine Assertion elements", func(doc *etree.Document) {
			doc.Root().AddChild(assertionOf(doc).Copy())
		}, "", http.StatusBadRequest, "exactly one assertion; this one contains 2"},
		{"XML with a DOCTYPE", func(doc *etree.Document) {},
			`<!DOCTYPE Response [<!ENTITY who "alice@acme.com">]>`, http.StatusBadRequest, "DOCTYPE"},
		{"wrong audience, validly signed", func(doc *etree.Document) {
			setText(doc, "./Conditions/AudienceRestriction/Audience", "https://other-sp.example/metadata")
			s.resign(doc)
		}, "", http.StatusUnauthorized, "meant for a different service provider"},
		{"wrong recipient, validly signed", func(doc *etree.Document) {
			setAttr(doc, "./Assertion/Subject/SubjectConfirmation/SubjectConfirmationData", "Recipient", "https://evil.example/acs")
			s.resign(doc)
		}, "", http.StatusUnauthorized, "addressed to a different endpoint"},
		{"wrong destination, validly signed", func(doc *etree.Document) {
			setAttr(doc, "", "Destination", "https://evil.example/acs")
			s.resign(doc)
		}, "", http.StatusUnauthorized, "addressed to a different endpoint"},
		{"expired, validly signed", func(doc *etree.Document) {
			past := samlTime(now.Add(-10 * time.Minute))
			setAttr(doc, "./Assertion/Conditions", "NotOnOrAfter", past)
			setAttr(doc, "./Assertion/Subject/SubjectConfirmation/SubjectConfirmationData", "NotOnOrAfter", past)
			s.resign(doc)
		}, "", http.StatusUnauthorized, "validity"},
		{"not yet valid, validly signed", func(doc *etree.Document) {
			setAttr(doc, "./Assertion/Conditions", "NotBefore", samlTime(now.Add(10*time.Minute)))
			s.resign(doc)
		}, "", http.StatusUnauthorized, "validity"},
		{"answers another request, validly signed", func(doc *etree.Document) {
			setAttr(doc, "", "InResponseTo", "id-of-another-request")
			setAttr(doc, "./Assertion/Subject/SubjectConfirmation/SubjectConfirmationData", "InResponseTo", "id-of-another-request")
			s.resign(doc)
		}, "", http.StatusUnauthorized, "does not answer the sign-in request"},
		{"no audience restriction, validly signed", func(doc *etree.Document) {
			c := assertionOf(doc).FindElement("./Conditions")
			c.RemoveChild(c.FindElement("./AudienceRestriction"))
			s.resign(doc)
		}, "", http.StatusUnauthorized, "meant for a different service provider"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, f, doc := s.capture("mallory")
			c.tamper(doc)
			before, failed := s.counts(), len(s.audits("sso.sign_in_failed"))
			p := postDoc(t, b, f, doc, c.prefix)
			reason := s.refusedT(t, p, before, failed, c.status, c.want)
			t.Log(reason)
			if strings.Contains(p.body, "Internal error") {
				t.Fatalf("internal error page: %s", reason)
			}
		})
	}
	if _, ok := s.findMember(s.acme.Org.ID, "alice@acme.com"); ok {
		t.Fatal("an attack signed alice in")
	}
}

// TestSAMLExpiredResponse: a genuine response that sat in the browser too long is refused.
func TestSAMLExpiredResponse(t *testing.T) {
	s := newSAMLEnv(t, onSQLite, nil, true)
	s.idp.setUser(idpUser{name: "alice", email: "alice@acme.com"})
	b := newBrowser(t)
	f := s.idp.signIn(b, s.conn.SignInURL, "alice")
	s.h.Clock.Advance(5 * time.Minute)
	before := s.counts()
	s.refused(b.submit(f, nil), before, 0, http.StatusUnauthorized, "validity")
}

// TestSAMLResponseForAnotherConnection: two orgs' connections trust the same IdP. A response
// issued for one is refused at the other, with either connection's sign-in state.
func TestSAMLResponseForAnotherConnection(t *testing.T) {
	s := newSAMLEnv(t, onSQLite, nil, false)
	rival := s.h.CreateOrg("rival", 10, "owner@rival.com")
	res := s.call(s.op, "POST", "/orgs/rival/sso/connections", map[string]any{"protocol": "saml", "idpMetadataUrl": s.idp.metadataURL()})
	if res.Status != http.StatusCreated {
		t.Fatalf("rival connection: %d %s", res.Status, res.Raw)
	}
	var other struct{ Connection sso.Connection }
	_ = json.Unmarshal(res.Raw, &other)
	s.idp.register(other.Connection, false)
	s.idp.setUser(idpUser{name: "alice", email: "alice@acme.com"})

	b := newBrowser(t)
	f := s.idp.signIn(b, s.conn.SignInURL, "alice")
	f.action = mustURL(other.Connection.SAML.ACSURL)
	before := s.counts()
	p := b.submit(f, nil)
	if p.status != http.StatusForbidden || !strings.Contains(p.message(), "different connection") {
		t.Fatalf("acme's response at rival's ACS: %d %s", p.status, p.message())
	}
	if s.counts() != before {
		t.Fatal("a refused response wrote rows")
	}

	login := b.get(other.Connection.SignInURL)
	p = b.submit(f, map[string]string{"RelayState": login.form(t).fields.Get("RelayState")})
	if p.status != http.StatusUnauthorized || !strings.Contains(p.message(), "different endpoint") {
		t.Fatalf("acme's response with rival's sign-in state: %d %s", p.status, p.message())
	}
	if s.counts() != before {
		t.Fatal("a refused response wrote rows")
	}
	var failures []provisioning.AuditEvent
	s.h.Tx(func(tx provisioning.StoreTx) error {
		var err error
		failures, err = tx.ListAudit(s.h.Ctx, provisioning.AuditQuery{OrgID: rival.Org.ID, Action: "sso.sign_in_failed"})
		return err
	})
	if len(failures) != 2 {
		t.Fatalf("rival's audit log has %d failed sign-ins, want 2", len(failures))
	}
}
