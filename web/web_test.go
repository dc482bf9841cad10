package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/session"
	"github.com/rollcall/rollcall/store/storetest"
	"github.com/rollcall/rollcall/web"
)

func TestHome(t *testing.T) {
	h := storetest.NewHarness(t, storetest.OpenSQLite(t))
	o := h.CreateOrg("acme", 5, "alice@acme.com")
	srv := httptest.NewServer(web.Handler(web.Options{Service: h.Service, SSOStartPath: "/sso/start"}))
	defer srv.Close()
	get := func(cookie string) string {
		req, _ := http.NewRequest("GET", srv.URL+"/", nil)
		if cookie != "" {
			req.AddCookie(&http.Cookie{Name: session.CookieName, Value: cookie})
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("home: %v %v", err, res.Status)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	if page := get(""); !strings.Contains(page, `action="/auth/email"`) || !strings.Contains(page, `action="/sso/start"`) ||
		!strings.Contains(page, `id="rollcall-frame"`) {
		t.Fatalf("signed out: %s", page)
	}
	// The SSO form's answer redirects to the person's IdP, which browsers check against form-action.
	if res, err := http.Get(srv.URL + "/"); err != nil || !strings.HasSuffix(res.Header.Get("Content-Security-Policy"), "form-action 'self' https:") {
		t.Fatalf("signed-out policy: %v %v", err, res.Header)
	}
	if page := get("rcs_forged"); !strings.Contains(page, `action="/auth/email"`) {
		t.Fatal("a forged session must show the sign-in form")
	}
	var secret string
	h.Tx(func(tx provisioning.StoreTx) error {
		var err error
		secret, _, err = h.Service.StartSession(h.Ctx, provisioning.Wrap(tx), o.Owner.UserID, "")
		return err
	})
	page := get(secret)
	if !strings.Contains(page, "alice@acme.com") || !strings.Contains(page, "acme Inc") || !strings.Contains(page, ">owner<") ||
		!strings.Contains(page, `action="/auth/logout"`) {
		t.Fatalf("signed in: %s", page)
	}
	res, _ := http.Get(srv.URL + "/nope")
	if res.StatusCode != 404 {
		t.Fatalf("unknown page: %d", res.StatusCode)
	}
}
