package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestBadInput checks that malformed requests get a clear JSON error with a code, never a 500,
// and that nothing is written.
func TestBadInput(t *testing.T) {
	e := newEnv(t)
	f := e.fixture(20)
	owner := f.tokens["owner"]
	base := "/orgs/" + f.slug
	cases := []struct {
		name, method, path string
		body               any
		status             int
		code, field        string
	}{
		{"unknown field", "POST", base + "/members", `{"email":"a@x.com","rol":"member"}`, 400, "invalid", "rol"},
		{"wrong type", "POST", base + "/members", `{"email":42}`, 400, "invalid", "email"},
		{"not json", "POST", base + "/members", `{"email":`, 400, "invalid", ""},
		{"trailing data", "POST", base + "/members", `{"email":"a@x.com"} {}`, 400, "invalid", ""},
		{"empty body", "POST", base + "/members", ``, 400, "invalid", ""},
		{"oversize body", "POST", base + "/members", `{"email":"` + strings.Repeat("a", 2<<20) + `"}`, 413, "payload_too_large", ""},
		{"bad email", "POST", base + "/members", `{"email":"not an email"}`, 400, "invalid", "email"},
		{"unknown role", "POST", base + "/members", `{"email":"a@x.com","role":"god"}`, 400, "invalid", "role"},
		{"unknown member", "GET", base + "/members/nope", nil, 404, "not_found", ""},
		{"unknown org", "GET", "/orgs/nope/members", nil, 404, "not_found", ""},
		{"invalid cursor", "GET", base + "/members?cursor=not*base64", nil, 400, "invalid", "cursor"},
		{"cursor for another sort", "GET", base + "/members?sort=joined&cursor=eyJrIjoieCIsImkiOiJ5In0", nil, 400, "invalid", "cursor"},
		{"bad sort key", "GET", base + "/members?sort=height", nil, 400, "invalid", "sort"},
		{"bad limit", "GET", base + "/members?limit=0", nil, 400, "invalid", "limit"},
		{"unknown query parameter", "GET", base + "/members?colour=red", nil, 400, "invalid", "colour"},
		{"bad time", "GET", base + "/audit?since=yesterday", nil, 400, "invalid", "since"},
		{"bad settings", "PUT", base + "/settings", `{"defaultRole":"owner","autoAssignSeats":true,"reserveSeatsForInvites":true,"inviteExpiryHours":1,"tokenRateLimitPerMinute":1}`, 400, "invalid", "defaultRole"},
		{"seat limit zero", "PATCH", base, `{"seatLimit":0}`, 400, "invalid", "seatLimit"},
		{"unknown plan", "PATCH", base, `{"plan":"gold"}`, 400, "invalid", "plan"},
		{"wrong content type", "POST", base + "/members", "email=a@x.com", 400, "invalid", ""},
		{"unknown endpoint", "GET", "/nope", nil, 404, "not_found", ""},
		{"method not allowed", "PUT", "/orgs", nil, 405, "method_not_allowed", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.t = t
			res := e.doRaw(owner, c.method, c.path, c.body, c.name == "wrong content type")
			if res.Status != c.status || res.errCode() != c.code || res.errMessage() == "" {
				t.Fatalf("got %d %s, want %d %s", res.Status, res.Raw, c.status, c.code)
			}
			if c.field != "" {
				if got := res.Body["error"].(map[string]any)["field"]; got != c.field {
					t.Fatalf("field = %v, want %s", got, c.field)
				}
			}
		})
	}
	e.t = t
	list := e.do(owner, "GET", base+"/members", nil)
	if n := len(list.Body["members"].([]any)); n != 8 {
		t.Fatalf("bad input wrote something: %d members, want 8", n)
	}
}

func (e *env) doRaw(token, method, path string, body any, form bool) response {
	if !form {
		return e.do(token, method, path, body)
	}
	req, _ := http.NewRequest(method, e.srv.URL+"/api/v1"+path, strings.NewReader(body.(string)))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	var out response
	out.Status = res.StatusCode
	_ = json.NewDecoder(res.Body).Decode(&out.Body)
	return out
}

func TestAuthentication(t *testing.T) {
	e := newEnv(t)
	f := e.fixture(20)
	for _, tok := range []string{"", "mwt_forged", f.tokens["owner"] + "x", "rk_wrong"} {
		res := e.do(tok, "GET", "/orgs/"+f.slug+"/members", nil)
		if res.Status != 401 || res.errCode() != "unauthorized" || res.Header.Get("WWW-Authenticate") == "" {
			t.Fatalf("token %q: %d %s", tok, res.Status, res.Raw)
		}
	}
	other := e.fixture(20)
	res := e.do(f.tokens["owner"], "GET", "/orgs/"+other.slug+"/members", nil)
	if res.Status != 403 {
		t.Fatalf("a token of one org used on another: %d %s", res.Status, res.Raw)
	}
	if res := e.do(e.op, "GET", "/orgs", nil); res.Status != 200 || len(res.Body["orgs"].([]any)) != 2 {
		t.Fatalf("operator lists orgs: %d %s", res.Status, res.Raw)
	}
	if res := e.do(f.tokens["owner"], "GET", "/orgs", nil); res.Status != 403 {
		t.Fatalf("only the operator lists all orgs: %d", res.Status)
	}
	me := e.do(f.tokens["admin"], "GET", "/me", nil)
	if actor := me.Body["actor"].(map[string]any); actor["role"] != "admin" || actor["kind"] != "member" {
		t.Fatalf("me: %s", me.Raw)
	}
}
