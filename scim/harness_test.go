package scim_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/rollcall/rollcall/api"
	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/scim"
	"github.com/rollcall/rollcall/store/sqlstore"
	"github.com/rollcall/rollcall/store/storetest"
)

// env is the REST API and the SCIM directory over one real store, served over HTTP.
type env struct {
	t     testing.TB
	h     *storetest.Harness
	svc   *scim.Service
	srv   *httptest.Server
	org   provisioning.OrgWithOwner
	token string
}

func newEnv(t *testing.T, b storetest.Backend, seats int, o scim.Options) *env {
	t.Helper()
	return newEnvTB(t, b, seats, o)
}

func newEnvTB(t testing.TB, b storetest.Backend, seats int, o scim.Options) *env {
	t.Helper()
	return newEnvOn(t, b.Open(t), seats, o)
}

// newEnvWithSQL is newEnvTB with a raw connection to the same database, for bulk seeding.
func newEnvWithSQL(t testing.TB, b storetest.Backend, seats int, o scim.Options) (*env, storetest.Exec) {
	t.Helper()
	db, exec := b.OpenWithSQL(t)
	return newEnvOn(t, db, seats, o), exec
}

func newEnvOn(t testing.TB, db *sqlstore.DB, seats int, o scim.Options) *env {
	t.Helper()
	h := storetest.NewHarness(t, db)
	svc := scim.New(h.Service, o)
	mux := chi.NewRouter()
	mux.Mount("/api/v1", api.New(api.Options{Service: h.Service, Extensions: []func(*api.Router){api.SCIMRoutes(svc)}}))
	mux.Mount("/scim/v2", http.StripPrefix("/scim/v2", scim.NewHandler(svc)))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	e := &env{t: t, h: h, svc: svc, srv: srv, org: h.CreateOrg("acme", seats, "owner@acme.com")}
	e.token = e.newToken(e.org, "okta")
	return e
}

func (e *env) newToken(o provisioning.OrgWithOwner, name string) string {
	e.t.Helper()
	tok, err := e.svc.CreateToken(e.h.Ctx, e.h.MemberActor(o.Owner.Membership), o.Org.ID, name)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok.Secret
}

// resp is one decoded SCIM answer.
type resp struct {
	Status int
	Body   map[string]any
	Header http.Header
	Raw    string
}

func (r resp) str(path string) string {
	v := r.get(path)
	s, _ := v.(string)
	return s
}

// get walks a dotted path; a number segment indexes a list.
func (r resp) get(path string) any {
	var cur any = r.Body
	for _, seg := range strings.Split(path, ".") {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[seg]
		case []any:
			i := 0
			for _, ch := range seg {
				i = i*10 + int(ch-'0')
			}
			if i >= len(c) {
				return nil
			}
			cur = c[i]
		default:
			return nil
		}
	}
	return cur
}

func (e *env) do(method, path, body string) resp {
	return e.doAs(e.token, method, path, body)
}

func (e *env) doAs(token, method, path, body string) resp {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.srv.URL+"/scim/v2"+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json; charset=utf-8")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := resp{Status: res.StatusCode, Header: res.Header, Raw: string(raw)}
	if len(bytes.TrimSpace(raw)) > 0 {
		if err := json.Unmarshal(raw, &out.Body); err != nil {
			e.t.Fatalf("%s %s: answer is not JSON (%d): %s", method, path, res.StatusCode, raw)
		}
	}
	return out
}

// want fails unless the answer has the status.
func (e *env) want(r resp, status int, what string) resp {
	e.t.Helper()
	if r.Status != status {
		e.t.Fatalf("%s: status %d, want %d: %s", what, r.Status, status, r.Raw)
	}
	return r
}

// wantError checks a SCIM error document: status (as a string) and scimType.
func (e *env) wantError(r resp, status int, scimType, what string) {
	e.t.Helper()
	e.want(r, status, what)
	schemas, _ := r.Body["schemas"].([]any)
	if len(schemas) != 1 || schemas[0] != "urn:ietf:params:scim:api:messages:2.0:Error" {
		e.t.Fatalf("%s: not a SCIM error: %s", what, r.Raw)
	}
	if r.str("status") == "" || r.str("scimType") != scimType {
		e.t.Fatalf("%s: status %q scimType %q, want scimType %q: %s", what, r.str("status"), r.str("scimType"), scimType, r.Raw)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/scim+json") {
		e.t.Fatalf("%s: content type %q", what, ct)
	}
}

// member returns the membership of email in the env's org.
func (e *env) member(email string) provisioning.Member {
	e.t.Helper()
	var out provisioning.Member
	e.h.Tx(func(tx provisioning.StoreTx) error {
		u, err := tx.GetUserByEmail(e.h.Ctx, email)
		if err != nil {
			return err
		}
		m, err := tx.GetMembership(e.h.Ctx, e.org.Org.ID, u.ID)
		out = provisioning.NewMember(m, u)
		return err
	})
	return out
}

func each(t *testing.T, fn func(t *testing.T, b storetest.Backend)) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) { fn(t, b) })
	}
}

func (e *env) doIfMatch(method, path, body, version string) resp {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+"/scim/v2"+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e.token)
	req.Header.Set("If-Match", version)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := resp{Status: res.StatusCode, Header: res.Header, Raw: string(raw)}
	_ = json.Unmarshal(raw, &out.Body)
	return out
}
