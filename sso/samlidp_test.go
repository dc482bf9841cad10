package sso_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"encoding/xml"
	"html/template"
	"io"
	"log"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/crewjam/saml"
	"github.com/crewjam/saml/samlidp"
	"golang.org/x/crypto/bcrypt"

	"github.com/rollcall/rollcall/sso"
	"github.com/rollcall/rollcall/store/storetest"
)

// samlIdP is crewjam's samlidp, a complete SAML IdP, on its own test server. It names people
// with a persistent NameID ("pid-" + user name, stable when their email changes), as Okta and
// Entra ID can; users set transient get samlidp's default, a transient NameID.
type samlIdP struct {
	t         *testing.T
	srv       *httptest.Server
	idp       *samlidp.Server
	key       *rsa.PrivateKey
	cert      *x509.Certificate
	mu        sync.Mutex
	transient map[string]bool
	// published, when set, are the signing certificates the metadata lists (a rollover
	// publishes the next certificate beside the current one); nil lists the current one.
	published []*x509.Certificate
}

// rollTo makes the IdP sign with key and cert from now on.
func (i *samlIdP) rollTo(key *rsa.PrivateKey, cert *x509.Certificate) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.idp.IDP.Key, i.idp.IDP.Certificate, i.key, i.cert = key, cert, key, cert
}

// publish sets the signing certificates the metadata lists (nil: the current one).
func (i *samlIdP) publish(certs ...*x509.Certificate) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.published = certs
}

// serveMetadata answers /metadata with the published certificates.
func (i *samlIdP) serveMetadata(w http.ResponseWriter) bool {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.published == nil {
		return false
	}
	md := i.idp.IDP.Metadata()
	d := &md.IDPSSODescriptors[0]
	d.KeyDescriptors = nil
	for _, c := range i.published {
		d.KeyDescriptors = append(d.KeyDescriptors, saml.KeyDescriptor{Use: "signing", KeyInfo: saml.KeyInfo{
			X509Data: saml.X509Data{X509Certificates: []saml.X509Certificate{{Data: base64.StdEncoding.EncodeToString(c.Raw)}}}}})
	}
	raw, _ := xml.Marshal(md)
	w.Header().Set("Content-Type", "application/samlmetadata+xml")
	_, _ = w.Write(raw)
	return true
}

// MakeAssertion is samlidp's assertion with the NameID the user is set up for.
func (i *samlIdP) MakeAssertion(req *saml.IdpAuthnRequest, session *saml.Session) error {
	if err := (saml.DefaultAssertionMaker{}).MakeAssertion(req, session); err != nil {
		return err
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	id := req.Assertion.Subject.NameID
	if i.transient[session.UserName] {
		id.Format, id.Value = string(saml.TransientNameIDFormat), "_"+rand.Text()
	} else {
		id.Format, id.Value = string(saml.PersistentNameIDFormat), "pid-"+session.UserName
	}
	return nil
}

const idpPassword = "correct horse battery staple"

// idpPasswordHash is the password's bcrypt hash at the lowest cost: the IdP's login stays real
// without bcrypt's default cost dominating tests under the race detector.
var idpPasswordHash = sync.OnceValue(func() []byte {
	h, err := bcrypt.GenerateFromPassword([]byte(idpPassword), bcrypt.MinCost)
	if err != nil {
		panic(err)
	}
	return h
})

// loginForm always posts the credentials to /login, which opens an IdP session. The test then
// resumes the sign-in by following the SP's HTTP-Redirect URL again, as real IdPs do after a
// login: a signed AuthnRequest keeps its query-string signature (SigAlg, Signature). samlidp's
// own form would instead re-post the bare request XML to /sso, which drops that signature, so
// crewjam 0.6 rightly refuses it (the SP metadata says AuthnRequestsSigned).
const loginForm = `<html><p>{{.Toast}}</p><form method="post" action="/login">
<input type="text" name="user" value=""><input type="password" name="password" value="">
<input type="submit" value="Log In"></form></html>`

// newSAMLIdP starts the IdP on clock (the harness clock of the Rollcall it talks to).
func newSAMLIdP(t *testing.T, clock *storetest.Clock) *samlIdP {
	t.Helper()
	key, cert := selfSigned(t, "Test IdP")
	var handler http.Handler
	var i *samlIdP
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/metadata" && i.serveMetadata(w) {
			return
		}
		handler.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	idp, err := samlidp.New(samlidp.Options{URL: *u, Key: key, Certificate: cert, Store: &samlidp.MemoryStore{}, Clock: dsigClock(clock),
		Logger: log.New(io.Discard, "", 0), LoginFormTemplate: template.Must(template.New("login").Parse(loginForm))})
	if err != nil {
		t.Fatal(err)
	}
	handler = idp
	i = &samlIdP{t: t, srv: srv, idp: idp, key: key, cert: cert, transient: map[string]bool{}}
	idp.IDP.AssertionMaker = i
	return i
}

// selfSigned makes a key and a certificate valid for a year from the time the test harnesses
// start at.
func selfSigned(t *testing.T, name string) (*rsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	now := storetest.NewClock(t).Now()
	return selfSignedUntil(t, name, now.Add(-24*time.Hour), now.AddDate(1, 0, 0))
}

// selfSignedUntil makes a key and a certificate valid from notBefore to notAfter.
func selfSignedUntil(t *testing.T, name string, notBefore, notAfter time.Time) (*rsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: notBefore, NotAfter: notAfter}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return key, cert
}

func (i *samlIdP) metadataURL() string { return i.srv.URL + "/metadata" }

func (i *samlIdP) put(path, contentType string, body []byte) {
	i.t.Helper()
	req, _ := http.NewRequest("PUT", i.srv.URL+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		i.t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNoContent {
		i.t.Fatalf("PUT %s: %d", path, res.StatusCode)
	}
}

// idpUser is a person at the IdP.
type idpUser struct {
	name, email, first, last string
	groups                   []string
	// transient gives the user a transient NameID, a new one at every sign-in.
	transient bool
}

func (i *samlIdP) setUser(u idpUser) {
	i.t.Helper()
	i.mu.Lock()
	i.transient[u.name] = u.transient
	i.mu.Unlock()
	body, _ := json.Marshal(samlidp.User{Name: u.name, HashedPassword: idpPasswordHash(), Email: u.email,
		GivenName: u.first, Surname: u.last, Groups: u.groups})
	i.put("/users/"+u.name, "application/json", body)
}

// register makes the IdP trust a connection by loading its SP metadata from Rollcall. Without
// encryption, the IdP's assertions stay in clear, so tests can tamper with them.
func (i *samlIdP) register(c sso.Connection, encrypt bool) {
	i.t.Helper()
	i.registerKeys(c, func(kd saml.KeyDescriptor) bool { return encrypt || kd.Use != "encryption" })
}

// registerKeys is register with only the SP metadata's key descriptors keep accepts.
func (i *samlIdP) registerKeys(c sso.Connection, keep func(saml.KeyDescriptor) bool) {
	i.t.Helper()
	res, err := http.Get(c.SAML.MetadataURL)
	if err != nil {
		i.t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		i.t.Fatalf("SP metadata: %d %s", res.StatusCode, raw)
	}
	var md saml.EntityDescriptor
	if err := xml.Unmarshal(raw, &md); err != nil {
		i.t.Fatal(err)
	}
	for k := range md.SPSSODescriptors {
		d := &md.SPSSODescriptors[k]
		d.KeyDescriptors = slices.DeleteFunc(d.KeyDescriptors, func(kd saml.KeyDescriptor) bool { return !keep(kd) })
	}
	raw, _ = xml.Marshal(md)
	i.put("/services/"+c.ID, "application/xml", raw)
}

// signIn drives a full SP-initiated sign-in in b: Rollcall's start URL, the IdP's login form,
// the signed request again with the IdP session, and the IdP's auto-posting response form,
// which it returns unsubmitted.
func (i *samlIdP) signIn(b *browser, startURL, user string) form {
	i.t.Helper()
	login := b.get(startURL)
	if login.url.Host != mustURL(i.srv.URL).Host {
		i.t.Fatalf("start did not reach the IdP but %s (%d): %s", login.url, login.status, login.body)
	}
	if p := b.submit(login.form(i.t), map[string]string{"user": user, "password": idpPassword}); p.status != http.StatusOK {
		i.t.Fatalf("IdP login: %d %s", p.status, p.body)
	}
	resp := b.get(login.url.String())
	f := resp.form(i.t)
	if f.fields.Get("SAMLResponse") == "" {
		i.t.Fatalf("IdP answered without a SAMLResponse: %s", resp.body)
	}
	return f
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// signInIdPInitiated logs user in at the IdP and follows a shortcut to the connection, as a
// person clicking the app's tile in their IdP dashboard; it returns the unsubmitted response.
func (i *samlIdP) signInIdPInitiated(b *browser, c sso.Connection, user, relayState string) form {
	i.t.Helper()
	sc := samlidp.Shortcut{Name: "tile-" + c.ID, ServiceProviderID: c.SAML.SPEntityID}
	if relayState != "" {
		sc.RelayState = &relayState
	}
	body, _ := json.Marshal(sc)
	i.put("/shortcuts/"+sc.Name, "application/json", body)
	login := b.get(i.srv.URL + "/login/" + sc.Name)
	b.submit(login.form(i.t), map[string]string{"user": user, "password": idpPassword})
	resp := b.get(i.srv.URL + "/login/" + sc.Name)
	return resp.form(i.t)
}

func pemCert(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}
