package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/rollcall/rollcall/api"
	"github.com/rollcall/rollcall/domains"
	"github.com/rollcall/rollcall/invites"
	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/scim"
	"github.com/rollcall/rollcall/sso"
	"github.com/rollcall/rollcall/sso/ssotest"
	"github.com/rollcall/rollcall/store/storetest"
)

// env is a real API over a real store, served over HTTP, with an OIDC issuer (issuer) whose
// discovery document connections can be checked against.
type env struct {
	t      *testing.T
	h      *storetest.Harness
	srv    *httptest.Server
	op     string
	issuer string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	h := storetest.NewHarness(t, storetest.OpenSQLite(t))
	mux := chi.NewRouter()
	mux.Mount("/api/v1", newHandler(t, h))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	key, _, err := h.Service.EnsureOperatorKey(context.Background(), "test-operator-key-0123456789")
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, h: h, srv: srv, op: key, issuer: ssotest.DiscoveryStub(t, nil)}
}

// newHandler is the API with every entrance's routes, as serve wires it.
func newHandler(t *testing.T, h *storetest.Harness) http.Handler {
	t.Helper()
	dom, err := domains.New(h.Service, domains.Options{ResolverAddr: "127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	directory := scim.New(h.Service, scim.Options{})
	single, err := sso.New(h.Service, sso.Options{BaseURL: "https://rollcall.example",
		AllowPrivateFetch: true})
	if err != nil {
		t.Fatal(err)
	}
	return api.New(api.Options{Service: h.Service, Domains: dom, SSO: single, Invites: invites.NewService(h.Service, invites.Options{}),
		Extensions: []func(*api.Router){api.SCIMRoutes(directory)}})
}

// response is a decoded API answer.
type response struct {
	Status int
	Body   map[string]any
	Raw    []byte
	Header http.Header
}

func (r response) errCode() string {
	e, _ := r.Body["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

func (r response) errMessage() string {
	e, _ := r.Body["error"].(map[string]any)
	s, _ := e["message"].(string)
	return s
}

func (e *env) do(token, method, path string, body any) response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	default:
		raw, _ := json.Marshal(b)
		rd = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, e.srv.URL+"/api/v1"+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := response{Status: res.StatusCode, Raw: raw, Header: res.Header}
	_ = json.Unmarshal(raw, &out.Body)
	return out
}

// fixture is an org with one member of every role, each with a token, and targets to act on.
type fixture struct {
	org                                 string
	slug                                string
	tokens                              map[provisioning.Role]string
	members                             map[string]provisioning.Membership
	ownerToken, adminToken, memberToken provisioning.NewToken
}

var fixtureSeq int

func (e *env) fixture(limit int) fixture {
	e.t.Helper()
	fixtureSeq++
	slug := fmt.Sprintf("org%d", fixtureSeq)
	h := e.h
	o := h.CreateOrg(slug, limit, "owner@"+slug+".com")
	f := fixture{org: o.Org.ID, slug: slug, tokens: map[provisioning.Role]string{}, members: map[string]provisioning.Membership{}}
	f.members["owner"] = o.Owner.Membership
	for _, p := range []struct {
		name string
		role provisioning.Role
	}{{"admin", provisioning.RoleAdmin}, {"member", provisioning.RoleMember}, {"viewer", provisioning.RoleMember},
		{"owner2", provisioning.RoleOwner}, {"admin2", provisioning.RoleAdmin}, {"member2", provisioning.RoleMember}, {"viewer2", provisioning.RoleViewer}} {
		f.members[p.name] = h.MustJoin(o.Org.ID, p.name+"@"+slug+".com", provisioning.EntranceManual, p.role).Membership
	}
	mk := func(name string) provisioning.NewToken {
		tok, err := h.Service.CreateToken(h.Ctx, h.MemberActor(f.members[name]), o.Org.ID, name, provisioning.TokenLimits{})
		if err != nil {
			e.t.Fatal(err)
		}
		return tok
	}
	for _, name := range []string{"owner", "admin", "member", "viewer"} {
		f.tokens[provisioning.Role(name)] = mk(name).Secret
	}
	// The viewer's token was made while a member; viewers cannot make tokens themselves.
	if _, err := h.Service.ChangeRole(h.Ctx, provisioning.Operator(), o.Org.ID, f.members["viewer"].ID, provisioning.RoleViewer); err != nil {
		e.t.Fatal(err)
	}
	f.ownerToken, f.adminToken, f.memberToken = mk("owner2"), mk("admin2"), mk("member2")
	return f
}
