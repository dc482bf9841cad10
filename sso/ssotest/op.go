package ssotest

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// Client credentials Rollcall uses at the test OpenID Provider.
const (
	ClientID     = "rollcall"
	ClientSecret = "s3cret-for-rollcall"
)

// OP is zitadel's example OpenID Provider (a certified library) on a loopback test server, with
// people the test sets and a groups claim in userinfo. Its login page asks for a username and
// Password.
type OP struct {
	// Issuer is the OP's issuer URL.
	Issuer  string
	users   *users
	clients map[string]*storage.Client
}

// StartOP starts the OP. skew is how far the clock of the Rollcall it talks to is from the real
// time (storetest.ClockOffset): its tokens are stamped to be valid on that clock.
func StartOP(t testing.TB, skew time.Duration) *OP {
	t.Helper()
	o := &OP{users: &users{m: map[string]*storage.User{}, groups: map[string][]string{}}, clients: map[string]*storage.Client{}}
	srv := httptest.NewUnstartedServer(nil)
	o.Issuer = "http://" + srv.Listener.Addr().String()
	store := &opStorage{Storage: storage.NewStorageWithClients(o.users, o.clients), users: o.users, skew: skew}
	srv.Config.Handler = exampleop.SetupServer(o.Issuer, store, slog.New(slog.DiscardHandler), false)
	srv.Start()
	t.Cleanup(srv.Close)
	return o
}

// Client registers Rollcall as a confidential web client with its redirect URIs.
func (o *OP) Client(redirectURIs ...string) {
	o.users.mu.Lock()
	defer o.users.mu.Unlock()
	o.clients[ClientID] = storage.WebClient(ClientID, ClientSecret, redirectURIs...)
}

// SetUser adds or replaces a person, with the groups the userinfo endpoint gives.
func (o *OP) SetUser(id, username, email, first, last string, groups ...string) {
	o.users.mu.Lock()
	defer o.users.mu.Unlock()
	o.users.m[id] = &storage.User{ID: id, Username: username, Password: Password, FirstName: first, LastName: last,
		Email: email, EmailVerified: true, PreferredLanguage: language.English}
	o.users.groups[id] = groups
}

// users is the OP's user store.
type users struct {
	mu     sync.Mutex
	m      map[string]*storage.User
	groups map[string][]string
}

// GetUserByID finds a person by id.
func (u *users) GetUserByID(id string) *storage.User {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.m[id]
}

// GetUserByUsername finds a person by username.
func (u *users) GetUserByUsername(name string) *storage.User {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, user := range u.m {
		if user.Username == name {
			return user
		}
	}
	return nil
}

// ExampleClientID names the example's service client.
func (u *users) ExampleClientID() string { return "service" }

// opStorage is the example storage with the clients' clock skew and a groups claim.
type opStorage struct {
	*storage.Storage
	users *users
	skew  time.Duration
}

// GetClientByClientID answers with the client shifted onto the Rollcall clock's timeline.
func (s *opStorage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, err := s.Storage.GetClientByClientID(ctx, id)
	if err != nil || s.skew == 0 {
		return c, err
	}
	return skewed{c, s.skew}, nil
}

type skewed struct {
	op.Client
	skew time.Duration
}

// ClockSkew is the client's skew plus the Rollcall clock's offset.
func (c skewed) ClockSkew() time.Duration { return c.Client.ClockSkew() + c.skew }

// SetUserinfoFromToken answers the userinfo endpoint with the person's groups.
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
