package sso_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rollcall/rollcall/store/storetest"
	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

const (
	opClientID     = "rollcall"
	opClientSecret = "s3cret-for-rollcall"
	opPassword     = "verysecure"
)

// testOP is zitadel's example OpenID Provider (a certified library) on its own test server,
// with a user store the tests control and a storage wrapper that adds a groups claim and can
// misbehave on purpose (forge the nonce).
type testOP struct {
	t       *testing.T
	srv     *httptest.Server
	users   *opUsers
	clients map[string]*storage.Client
	store   *opStorage
	mu      sync.Mutex
	fake    string
	broken  map[string]bool
}

// breakEndpoint makes the OP answer requests to path with an HTTP 500 quoting bodyMarker.
func (o *testOP) breakEndpoint(path string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.broken[path] = true
}

func (o *testOP) isBroken(path string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.broken[path]
}

// lie serves, at /tenant-b, a second discovery document that claims issuer while tokens keep
// the real one: an OP lying about who it is.
func (o *testOP) lie(issuer string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.fake = issuer
}

func (o *testOP) fakeIssuer() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.fake
}

func newTestOP(t *testing.T) *testOP {
	t.Helper()
	o := &testOP{t: t, users: &opUsers{users: map[string]*storage.User{}, groups: map[string][]string{}},
		clients: map[string]*storage.Client{}, broken: map[string]bool{}}
	var handler http.Handler
	o.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if o.isBroken(r.URL.Path) {
			http.Error(w, "failure at "+bodyMarker, http.StatusInternalServerError)
			return
		}
		if fake := o.fakeIssuer(); fake != "" && r.URL.Path == "/tenant-b/.well-known/openid-configuration" {
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, httptest.NewRequest("GET", "/.well-known/openid-configuration", nil))
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(strings.Replace(rec.Body.String(), `"issuer":"`+o.srv.URL+`"`, `"issuer":"`+fake+`"`, 1)))
			return
		}
		handler.ServeHTTP(w, r)
	}))
	t.Cleanup(o.srv.Close)
	o.store = &opStorage{Storage: storage.NewStorageWithClients(o.users, o.clients), users: o.users}
	handler = exampleop.SetupServer(o.srv.URL, o.store, slog.New(slog.DiscardHandler), false)
	return o
}

// client registers Rollcall's callback URLs as a confidential web client.
func (o *testOP) client(redirectURIs ...string) {
	o.clients[opClientID] = storage.WebClient(opClientID, opClientSecret, redirectURIs...)
}

func (o *testOP) setUser(id, username, email string, verified bool, first, last string, groups ...string) {
	o.users.mu.Lock()
	defer o.users.mu.Unlock()
	o.users.users[id] = &storage.User{ID: id, Username: username, Password: opPassword, FirstName: first,
		LastName: last, Email: email, EmailVerified: verified, PreferredLanguage: language.English}
	o.users.groups[id] = groups
}

// signIn drives the browser from Rollcall's start URL through the OP's login form and back.
func (o *testOP) signIn(b *browser, startURL, username string) page {
	o.t.Helper()
	login := b.get(startURL)
	if login.url.Host != mustURL(o.srv.URL).Host {
		o.t.Fatalf("start did not reach the OP but %s (%d): %s", login.url, login.status, login.body)
	}
	return b.submit(login.form(o.t), map[string]string{"username": username, "password": opPassword})
}

// opUsers is a storage.UserStore the test can change.
type opUsers struct {
	mu     sync.Mutex
	users  map[string]*storage.User
	groups map[string][]string
}

func (u *opUsers) GetUserByID(id string) *storage.User {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.users[id]
}

func (u *opUsers) GetUserByUsername(name string) *storage.User {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, user := range u.users {
		if user.Username == name {
			return user
		}
	}
	return nil
}

func (u *opUsers) ExampleClientID() string { return "service" }

// opStorage is the example storage plus a groups claim in userinfo, an optional forged nonce
// and optional ID tokens without iat.
type opStorage struct {
	*storage.Storage
	users *opUsers
	mu    sync.Mutex
	nonce string
	noIat bool
}

// dropIat makes the OP issue its ID tokens without an iat claim.
func (s *opStorage) dropIat() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noIat = true
}

func (s *opStorage) forgeNonce(n string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nonce = n
}

// CreateAuthRequest keeps the request, with the forged nonce when one is set.
func (s *opStorage) CreateAuthRequest(ctx context.Context, req *oidc.AuthRequest, userID string) (op.AuthRequest, error) {
	s.mu.Lock()
	if s.nonce != "" {
		req.Nonce = s.nonce
	}
	s.mu.Unlock()
	return s.Storage.CreateAuthRequest(ctx, req, userID)
}

// GetClientByClientID answers with the client on the test clock's timeline: zitadel stamps
// token expiry from the real time plus the client's clock skew, so a skew of the test clocks'
// offset (storetest.ClockOffsetEnv) makes tokens valid when Rollcall's clock says they are.
func (s *opStorage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, err := s.Storage.GetClientByClientID(ctx, id)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	noIat := s.noIat
	s.mu.Unlock()
	if noIat {
		return epochClient{c}, nil
	}
	offset, err := storetest.ClockOffset()
	if err != nil || offset == 0 {
		return c, err
	}
	return shiftedClient{c, offset}, nil
}

type shiftedClient struct {
	op.Client
	offset time.Duration
}

func (c shiftedClient) ClockSkew() time.Duration { return c.Client.ClockSkew() + c.offset }

// epochClient has a clock skew reaching back to 1970: zitadel stamps iat as now minus the skew
// and leaves out an iat of zero, so its ID tokens then carry no iat (their expiry lies decades
// ahead instead, which no check here minds).
type epochClient struct{ op.Client }

func (epochClient) ClockSkew() time.Duration { return time.Since(time.Unix(0, 0)) }

// SetUserinfoFromToken answers the userinfo endpoint, with the user's groups.
func (s *opStorage) SetUserinfoFromToken(ctx context.Context, ui *oidc.UserInfo, tokenID, subject, origin string) error {
	if err := s.Storage.SetUserinfoFromToken(ctx, ui, tokenID, subject, origin); err != nil {
		return err
	}
	s.users.mu.Lock()
	groups := s.users.groups[ui.Subject]
	s.users.mu.Unlock()
	if groups != nil {
		ui.AppendClaims("groups", groups)
	}
	return nil
}
