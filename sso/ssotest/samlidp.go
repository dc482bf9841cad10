package ssotest

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"html/template"
	"io"
	"log"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/crewjam/saml"
	"github.com/crewjam/saml/samlidp"
	"github.com/jonboulle/clockwork"
	dsig "github.com/russellhaering/goxmldsig"
	"golang.org/x/crypto/bcrypt"
)

// Password is every test user's password at the test identity providers.
const Password = "correct horse battery staple"

// SAMLIdP is crewjam's samlidp, a complete SAML IdP, on a loopback test server. People get a
// persistent NameID ("pid-" + their user name), as Okta and Entra ID can send.
type SAMLIdP struct {
	t testing.TB
	// URL is the IdP's base URL; its metadata is at URL + "/metadata".
	URL string
}

// loginForm posts the credentials to /login, which opens an IdP session and answers JSON: a
// person signs in at the IdP first, then Rollcall's request finds the session. (samlidp's own
// form re-posts the bare request to /sso, which drops its signature, so it is refused.)
var loginForm = template.Must(template.New("login").Parse(`<html><head><title>Test IdP</title></head><body>
<p>{{.Toast}}</p><form method="post" action="/login" id="idp-login"><label>User <input type="text" name="user"></label>
<label>Password <input type="password" name="password"></label><button type="submit">Log in</button></form></body></html>`))

// StartSAMLIdP starts the IdP; now is its clock (nil: the real time), which must be the clock
// of the Rollcall it talks to.
func StartSAMLIdP(t testing.TB, now func() time.Time) *SAMLIdP {
	t.Helper()
	if now == nil {
		now = time.Now
	}
	key, cert := selfSigned(t, now())
	var handler http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	o := samlidp.Options{URL: *u, Key: key, Certificate: cert, Store: &samlidp.MemoryStore{},
		Logger: log.New(io.Discard, "", 0), LoginFormTemplate: loginForm, Clock: dsig.NewFakeClock(clock{clockwork.NewRealClock(), now})}
	idp, err := samlidp.New(o)
	if err != nil {
		t.Fatal(err)
	}
	idp.IDP.AssertionMaker = persistentNameID{}
	handler = idp
	return &SAMLIdP{t: t, URL: srv.URL}
}

// clock is a clockwork clock whose Now is the given function.
type clock struct {
	clockwork.Clock
	now func() time.Time
}

// Now is the given clock's time.
func (c clock) Now() time.Time { return c.now() }

// persistentNameID is samlidp's assertion with a persistent NameID.
type persistentNameID struct{}

// MakeAssertion makes samlidp's assertion and names the person "pid-" + user name.
func (persistentNameID) MakeAssertion(req *saml.IdpAuthnRequest, session *saml.Session) error {
	if err := (saml.DefaultAssertionMaker{}).MakeAssertion(req, session); err != nil {
		return err
	}
	id := req.Assertion.Subject.NameID
	id.Format, id.Value = string(saml.PersistentNameIDFormat), "pid-"+session.UserName
	return nil
}

// Metadata returns the IdP's metadata document, as an admin downloads it.
func (i *SAMLIdP) Metadata() []byte {
	i.t.Helper()
	res, err := http.Get(i.URL + "/metadata")
	if err != nil {
		i.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return raw
}

// SetUser adds or replaces a person at the IdP.
func (i *SAMLIdP) SetUser(name, email, first, last string, groups ...string) {
	i.t.Helper()
	hash, _ := bcrypt.GenerateFromPassword([]byte(Password), bcrypt.MinCost)
	body, _ := json.Marshal(samlidp.User{Name: name, HashedPassword: hash, Email: email, GivenName: first, Surname: last, Groups: groups})
	i.put("/users/"+name, "application/json", body)
}

// Register makes the IdP trust a service provider by its SP metadata URL (Rollcall's), as an
// admin setting up the app at the IdP does.
func (i *SAMLIdP) Register(id, spMetadataURL string) {
	i.t.Helper()
	res, err := http.Get(spMetadataURL)
	if err != nil {
		i.t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		i.t.Fatalf("SP metadata: %d %s", res.StatusCode, raw)
	}
	i.put("/services/"+id, "application/xml", raw)
}

// LogIn opens an IdP session for user in the client's cookie jar.
func (i *SAMLIdP) LogIn(c *http.Client, user string) {
	i.t.Helper()
	res, err := c.PostForm(i.URL+"/login", url.Values{"user": {user}, "password": {Password}})
	if err != nil {
		i.t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		i.t.Fatalf("IdP login of %s: %d", user, res.StatusCode)
	}
}

func (i *SAMLIdP) put(path, contentType string, body []byte) {
	i.t.Helper()
	req, _ := http.NewRequest("PUT", i.URL+path, bytes.NewReader(body))
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

// selfSigned makes the IdP's key and a certificate valid for a year from now.
func selfSigned(t testing.TB, now time.Time) (*rsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Test IdP"},
		NotBefore: now.Add(-24 * time.Hour), NotAfter: now.AddDate(1, 0, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return key, cert
}
