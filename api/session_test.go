package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/session"
)

// TestSignedInPersonCreatesOwnToken checks that the console session authenticates the API: a
// signed-in member creates their first personal token with the cookie and uses it; a viewer
// cannot; a cross-site request with the cookie is refused; an ended session is 401.
func TestSignedInPersonCreatesOwnToken(t *testing.T) {
	e := newEnv(t)
	f := e.fixture(20)
	path := "/orgs/" + f.slug + "/tokens"
	member := e.signIn(f.members["member"].UserID)
	res := e.withCookie(member, "POST", path, `{"name":"laptop"}`, "same-origin")
	if res.Status != 201 {
		t.Fatalf("create with the session: %d %s", res.Status, res.Raw)
	}
	secret, _ := res.Body["token"].(map[string]any)["secret"].(string)
	if me := e.do(secret, "GET", "/me", nil); me.Status != 200 || me.Body["actor"].(map[string]any)["kind"] != string(provisioning.ActorMember) {
		t.Fatalf("the new token does not work: %d %s", me.Status, me.Raw)
	}
	if res := e.withCookie(member, "POST", path, `{"name":"evil"}`, "cross-site"); res.Status != 403 || res.errCode() != "forbidden" {
		t.Fatalf("cross-site request: %d %s", res.Status, res.Raw)
	}
	viewer := e.signIn(f.members["viewer2"].UserID)
	if res := e.withCookie(viewer, "POST", path, `{"name":"v"}`, "same-origin"); res.Status != 403 {
		t.Fatalf("viewer created a token: %d %s", res.Status, res.Raw)
	}
	if res := e.withCookie("rcs_not-a-session", "GET", "/orgs/"+f.slug, "", ""); res.Status != 401 {
		t.Fatalf("unknown session: %d %s", res.Status, res.Raw)
	}
	list := e.withCookie(member, "GET", path, "", "")
	if list.Status != 200 {
		t.Fatalf("list my tokens: %d %s", list.Status, list.Raw)
	}
	names := map[string]bool{}
	for _, tok := range list.Body["tokens"].([]any) {
		names[tok.(map[string]any)["name"].(string)] = true
	}
	if !names["laptop"] || names["evil"] || len(names) != 2 {
		t.Fatalf("my tokens are %v, want the fixture's and laptop", names)
	}
}

// signIn opens a console session for a user, as an email or SSO sign-in would, and returns its
// secret.
func (e *env) signIn(userID string) string {
	e.t.Helper()
	var secret string
	e.h.Tx(func(tx provisioning.StoreTx) error {
		var err error
		secret, _, err = e.h.Service.StartSession(e.h.Ctx, provisioning.Wrap(tx), userID, "")
		return err
	})
	return secret
}

// withCookie calls the API as a browser holding the session cookie; site is the browser's
// Sec-Fetch-Site ("" for none).
func (e *env) withCookie(secret, method, path, body, site string) response {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.srv.URL+"/api/v1"+path, bytes.NewBufferString(body))
	req.AddCookie(&http.Cookie{Name: session.CookieName, Value: secret})
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if site != "" {
		req.Header.Set("Sec-Fetch-Site", site)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := response{Status: res.StatusCode, Raw: raw}
	_ = json.Unmarshal(raw, &out.Body)
	return out
}

// TestTokenListSaysWhoseTokens: an admin's list of the org's tokens names each token's owner.
func TestTokenListSaysWhoseTokens(t *testing.T) {
	e := newEnv(t)
	f := e.fixture(20)
	list := e.do(f.tokens["owner"], "GET", "/orgs/"+f.slug+"/tokens?all=true", nil)
	if list.Status != 200 {
		t.Fatalf("list: %d %s", list.Status, list.Raw)
	}
	owners := map[string]bool{}
	for _, tok := range list.Body["tokens"].([]any) {
		owners[tok.(map[string]any)["ownerEmail"].(string)] = true
	}
	if !owners["owner@"+f.slug+".com"] || !owners["member@"+f.slug+".com"] || owners[""] {
		t.Fatalf("owners named in the list: %v", owners)
	}
}
