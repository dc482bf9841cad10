package invites_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rollcall/rollcall/invites"
	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/session"
	"github.com/rollcall/rollcall/store/storetest"
)

// follow does what a person does with a mailed sign-in link: opens it and, when the page asks
// to continue, presses the button (a form POST of the link's token). It returns the last
// response without following its redirect.
func (b *browser) follow(link string) *http.Response {
	b.e.t.Helper()
	res := b.open(link)
	if res.StatusCode != http.StatusOK {
		return res
	}
	u, err := url.Parse(link)
	if err != nil {
		b.e.t.Fatal(err)
	}
	return b.confirm(u.Query(), nil)
}

// open GETs a link on the test server.
func (b *browser) open(link string) *http.Response {
	b.e.t.Helper()
	req, _ := http.NewRequest("GET", b.e.srv.URL+pathOf(link), nil)
	res, err := b.c.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	res.Body.Close()
	return res
}

// confirm posts the sign-in form with the given fields and extra headers.
func (b *browser) confirm(fields url.Values, header http.Header) *http.Response {
	b.e.t.Helper()
	req, _ := http.NewRequest("POST", b.e.srv.URL+"/auth/email/verify", strings.NewReader(fields.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	res.Body.Close()
	return res
}

// TestEmailSignIn: the same answer for any address, one-time links, one user per email, a
// hardened session cookie, the sign-in hook, next, and sign-out.
func TestEmailSignIn(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		var hooked []provisioning.User
		var mu sync.Mutex
		e.inv.AfterSignIn = append(e.inv.AfterSignIn, func(_ context.Context, u provisioning.User) error {
			mu.Lock()
			defer mu.Unlock()
			hooked = append(hooked, u)
			return nil
		})
		b := e.browser()
		known := b.do("POST", "/auth/email", map[string]string{"email": "owner@acme.com"})
		unknown := b.do("POST", "/auth/email", map[string]string{"email": "Nobody@New.com"})
		if known.Status != http.StatusAccepted || known.Raw != unknown.Raw || known.Status != unknown.Status {
			t.Fatalf("answers differ: %d %s / %d %s", known.Status, known.Raw, unknown.Status, unknown.Raw)
		}
		if n := e.deliver(); n != 2 {
			t.Fatalf("delivered %d sign-in mails, want 2", n)
		}
		link := e.lastLink("nobody@new.com")
		if !strings.Contains(link, "/auth/email/verify?token=esl_") {
			t.Fatalf("sign-in link %q", link)
		}
		res := b.follow(link)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
			t.Fatalf("verify: %d -> %q", res.StatusCode, res.Header.Get("Location"))
		}
		cookie := res.Cookies()[0]
		if cookie.Name != session.CookieName || cookie.MaxAge != int(provisioning.SessionTTL.Seconds()) || !cookie.Expires.IsZero() || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Secure {
			t.Fatalf("cookie %+v", cookie)
		}
		if r := b.do("GET", "/invitations", nil); r.Status != 200 {
			t.Fatalf("signed-in page: %d %s", r.Status, r.Raw)
		}
		if res := e.browser().follow(link); res.StatusCode != http.StatusGone {
			t.Fatalf("second use of a sign-in link: %d", res.StatusCode)
		}
		if res := e.browser().follow(link[:len(link)-2] + "xx"); res.StatusCode != http.StatusNotFound {
			t.Fatalf("tampered sign-in link: %d", res.StatusCode)
		}
		var user provisioning.User
		e.h.Tx(func(tx provisioning.StoreTx) error {
			var err error
			user, err = tx.GetUserByEmail(e.h.Ctx, "nobody@new.com")
			return err
		})
		if !user.EmailVerified || len(hooked) != 1 || hooked[0].ID != user.ID || !hooked[0].EmailVerified {
			t.Fatalf("user %+v, hook saw %+v", user, hooked)
		}
		again, _ := e.signIn("NOBODY@new.com")
		if r := again.do("GET", "/invitations", nil); r.Status != 200 {
			t.Fatalf("second sign-in: %d", r.Status)
		}
		e.h.Tx(func(tx provisioning.StoreTx) error {
			u, err := tx.GetUserByEmail(e.h.Ctx, "nobody@new.com")
			if err == nil && u.ID != user.ID {
				t.Errorf("a second sign-in made another user")
			}
			return err
		})

		if r := b.do("POST", "/auth/logout", nil); r.Status != http.StatusNoContent {
			t.Fatalf("logout: %d", r.Status)
		}
		if r := b.do("GET", "/invitations", nil); r.Status != http.StatusUnauthorized {
			t.Fatalf("after logout: %d", r.Status)
		}
		if r := again.do("GET", "/invitations", nil); r.Status != 200 {
			t.Fatalf("logout ended another session: %d", r.Status)
		}

		if r := b.do("POST", "/auth/email", map[string]string{"email": "n@x.com", "next": "//evil.example/x"}); r.Status != http.StatusBadRequest {
			t.Fatalf("off-site next: %d", r.Status)
		}
		if r := b.do("POST", "/auth/email", map[string]string{"email": "n@x.com", "next": "/join/abc"}); r.Status != http.StatusAccepted {
			t.Fatalf("next: %d %s", r.Status, r.Raw)
		}
		e.deliver()
		if res := b.follow(e.lastLink("n@x.com")); res.Header.Get("Location") != "/join/abc" {
			t.Fatalf("landed on %q, want /join/abc", res.Header.Get("Location"))
		}

		if r := b.do("POST", "/auth/email", map[string]string{"email": "late@x.com"}); r.Status != http.StatusAccepted {
			t.Fatal(r.Raw)
		}
		e.deliver()
		e.h.Clock.Advance(16 * time.Minute)
		if res := b.follow(e.lastLink("late@x.com")); res.StatusCode != http.StatusGone {
			t.Fatalf("expired sign-in link: %d", res.StatusCode)
		}
		now := e.h.Clock.Now()
		_, next := provisioning.FixedWindow(now, 15*time.Minute)
		e.h.Clock.Advance(next.Add(10 * time.Second).Sub(now))
		var limited response
		for range 6 {
			limited = b.do("POST", "/auth/email", map[string]string{"email": "often@x.com"})
		}
		if limited.Status != http.StatusTooManyRequests || limited.code() != "rate_limited" || limited.Header.Get("Retry-After") != "890" ||
			!strings.Contains(limited.Raw, "wait 15 minutes") {
			t.Fatalf("sixth request 10 s into the 15-minute window: %d, Retry-After %q, %s; want 890 s", limited.Status, limited.Header.Get("Retry-After"), limited.Raw)
		}
		for _, bad := range []any{map[string]string{"email": "nope"}, map[string]any{"email": 3}, map[string]string{"mail": "a@x.com"}} {
			if r := b.do("POST", "/auth/email", bad); r.Status != http.StatusBadRequest {
				t.Errorf("bad request %v: %d %s", bad, r.Status, r.Raw)
			}
		}
	})
}

// TestSignInHTML: browsers get pages and redirects, and HTTPS deployments get Secure cookies.
func TestSignInHTML(t *testing.T) {
	e := newEnv(t, storetest.Backends()[0], envOptions{public: "https://rollcall.example"})
	form := strings.NewReader("email=html%40x.com")
	res, err := http.Post(e.srv.URL+"/auth/email", "application/x-www-form-urlencoded", form)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusAccepted || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("form post: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	e.deliver()
	link := e.lastLink("html@x.com")
	if !strings.HasPrefix(link, "https://rollcall.example/auth/email/verify?token=") {
		t.Fatalf("link %q does not use the public URL", link)
	}
	got := e.browser().follow(link)
	if c := got.Cookies(); got.StatusCode != http.StatusSeeOther || len(c) != 1 || !c[0].Secure {
		t.Fatalf("verify over https public URL: %d %+v", got.StatusCode, c)
	}
	_, inviteLink := e.mustInvite("html@x.com", provisioning.RoleMember)
	for _, path := range []string{pathOf(inviteLink), "/invitations"} {
		req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
		req.AddCookie(got.Cookies()[0])
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(string(body), "acme Inc") || !strings.Contains(string(body), "<form") && path != "/invitations" {
			t.Fatalf("html %s: %d %s", path, res.StatusCode, body)
		}
	}
	page, err := http.Get(e.srv.URL + "/invitations/inv_nope")
	if err != nil {
		t.Fatal(err)
	}
	page.Body.Close()
	if page.StatusCode != http.StatusNotFound || !strings.HasPrefix(page.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("html error page: %d %s", page.StatusCode, page.Header.Get("Content-Type"))
	}
}

// TestSignInRateLimits: limits per address and per client IP live in the database, so two
// instances over one database share them.
func TestSignInRateLimits(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		o := invites.Options{SignInPerEmail: 3, SignInPerIP: 5}
		a, b := invites.NewService(e.h.Service, o), invites.NewService(e.h.Service, o)
		instances := []*invites.Service{a, b}
		for i := range 3 {
			if err := instances[i%2].RequestSignIn(e.h.Ctx, "x@x.com", "", "10.0.0.1"); err != nil {
				t.Fatalf("request %d: %v", i, err)
			}
		}
		err := b.RequestSignIn(e.h.Ctx, "x@x.com", "", "10.0.0.9")
		storetest.WantCode(t, err, provisioning.CodeRateLimited)
		for i := range 2 {
			if err := instances[i%2].RequestSignIn(e.h.Ctx, "y@x.com", "", "10.0.0.1"); err != nil {
				t.Fatalf("other address %d: %v", i, err)
			}
		}
		// 10.0.0.1 has made 5 requests; the 6th is refused for any address.
		storetest.WantCode(t, a.RequestSignIn(e.h.Ctx, "z@x.com", "", "10.0.0.1"), provisioning.CodeRateLimited)
		if err := a.RequestSignIn(e.h.Ctx, "z@x.com", "", "10.0.0.2"); err != nil {
			t.Fatalf("another IP: %v", err)
		}
		if n := e.deliver(); n != 6 {
			t.Fatalf("delivered %d sign-in mails, want 6 (refused requests send nothing)", n)
		}
		e.h.Clock.Advance(15 * time.Minute)
		if err := a.RequestSignIn(e.h.Ctx, "x@x.com", "", "10.0.0.1"); err != nil {
			t.Fatalf("after the window: %v", err)
		}
	})
}

// TestSignInLimitPerClient: the per-client limit counts an IPv6 /64 as one client, an
// IPv4-mapped address as its IPv4 address, and a refused request carries the rest of the window.
func TestSignInLimitPerClient(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		s := invites.NewService(e.h.Service, invites.Options{SignInPerIP: 3, SignInWindow: 10 * time.Minute})
		now := e.h.Clock.Now()
		_, next := provisioning.FixedWindow(now, 10*time.Minute)
		e.h.Clock.Advance(next.Add(time.Minute + 500*time.Millisecond).Sub(now))
		request := func(i int, ip string) error {
			return s.RequestSignIn(e.h.Ctx, fmt.Sprintf("p%d@x.com", i), "", ip)
		}
		for i, ip := range []string{"2001:db8:5:5::1", "2001:db8:5:5:aaaa::2", "2001:db8:5:5:ffff:ffff:ffff:ffff"} {
			if err := request(i, ip); err != nil {
				t.Fatalf("%s: %v", ip, err)
			}
		}
		err := request(9, "2001:db8:5:5::4")
		storetest.WantCode(t, err, provisioning.CodeRateLimited)
		if got := provisioning.ErrorRetryAfter(err); got != 8*time.Minute+59*time.Second+500*time.Millisecond {
			t.Fatalf("retry after %s, want the 8m59.5s left in the window", got)
		}
		if err := request(10, "2001:db8:5:6::1"); err != nil {
			t.Fatalf("the next /64: %v", err)
		}
		for i, ip := range []string{"192.0.2.9", "::ffff:192.0.2.9", "192.0.2.9"} {
			if err := request(20+i, ip); err != nil {
				t.Fatalf("%s: %v", ip, err)
			}
		}
		storetest.WantCode(t, request(30, "::ffff:192.0.2.9"), provisioning.CodeRateLimited)
	})
}

func TestSignInPurge(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		b := e.browser()
		if r := b.do("POST", "/auth/email", map[string]string{"email": "late@acme.com"}); r.Status != http.StatusAccepted {
			t.Fatalf("request: %d %s", r.Status, r.Raw)
		}
		e.deliver()
		link := e.lastLink("late@acme.com")
		e.h.Clock.Advance(time.Hour)
		if n, err := e.inv.Purge(e.h.Ctx); err != nil || n != 0 {
			t.Fatalf("purge within the grace day removed %d rows: %v", n, err)
		}
		if res := e.browser().follow(link); res.StatusCode != http.StatusGone {
			t.Fatalf("an expired link within the grace day: %d, want 410", res.StatusCode)
		}
		e.h.Clock.Advance(24 * time.Hour)
		if n, err := e.inv.Purge(e.h.Ctx); err != nil || n < 2 {
			t.Fatalf("purge removed %d rows (%v), want the link and its rate-limit windows", n, err)
		}
		if res := e.browser().follow(link); res.StatusCode != http.StatusNotFound {
			t.Fatalf("a purged link: %d, want 404", res.StatusCode)
		}
	})
}

// TestSignInLinkSurvivesMailScanners: opening the link only previews it (a scanner fetching it
// uses nothing up); the sign-in happens on the page's POST, never from another site's page.
func TestSignInLinkSurvivesMailScanners(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		b := e.browser()
		b.do("POST", "/auth/email", map[string]string{"email": "scan@acme.com"})
		e.deliver()
		link := e.lastLink("scan@acme.com")
		for range 3 {
			res := e.browser().open(link)
			if res.StatusCode != http.StatusOK || len(res.Cookies()) != 0 {
				t.Fatalf("opening the link: %d, cookies %v; want a preview without a session", res.StatusCode, res.Cookies())
			}
			if !strings.Contains(res.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
				t.Fatalf("the preview page may be framed by another site: CSP %q", res.Header.Get("Content-Security-Policy"))
			}
		}
		preview := b.do("GET", pathOf(link), nil)
		if preview.Status != http.StatusOK || preview.Body["email"] != "scan@acme.com" {
			t.Fatalf("JSON preview: %d %s", preview.Status, preview.Raw)
		}
		u, _ := url.Parse(link)
		for _, h := range []http.Header{{"Sec-Fetch-Site": {"cross-site"}}, {"Origin": {"https://evil.example"}}} {
			if res := b.confirm(u.Query(), h); res.StatusCode != http.StatusForbidden || len(res.Cookies()) != 0 {
				t.Fatalf("cross-site confirm %v: %d", h, res.StatusCode)
			}
		}
		res := b.confirm(u.Query(), http.Header{"Sec-Fetch-Site": {"same-origin"}})
		if res.StatusCode != http.StatusSeeOther || len(res.Cookies()) == 0 {
			t.Fatalf("confirm on our page: %d", res.StatusCode)
		}
		if res := b.open(link); res.StatusCode != http.StatusGone {
			t.Fatalf("opening a used link: %d, want 410", res.StatusCode)
		}
	})
}

// TestSignInDisownsUnprovenLinks: an IdP that asserted an address it did not vouch for created
// the account first; proving the address by email link cuts that IdP's link and sessions off.
func TestSignInDisownsUnprovenLinks(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		evil := e.h.CreateOrg("evil", -1, "mallory@evil.com")
		pre, err := e.h.Service.Provision(e.h.Ctx, provisioning.ProvisionRequest{OrgID: evil.Org.ID,
			Entrance: provisioning.EntranceSAML, Actor: provisioning.System(),
			Identity: provisioning.Identity{Email: "victim@gmail.com", Issuer: "saml:evil", Subject: "v"}})
		if err != nil {
			t.Fatal(err)
		}
		var secret string
		e.h.Tx(func(tx provisioning.StoreTx) error {
			secret, _, err = e.h.Service.StartSession(e.h.Ctx, provisioning.Wrap(tx), pre.User.ID, evil.Org.ID)
			return err
		})
		e.signIn("victim@gmail.com")
		var found error
		e.h.Tx(func(tx provisioning.StoreTx) error {
			found = errOfUser(tx.FindIdentity(e.h.Ctx, "saml:evil", "v"))
			return nil
		})
		storetest.WantCode(t, found, provisioning.CodeNotFound)
		if _, err := e.inv.CurrentUser(e.h.Ctx, secret); err == nil {
			t.Fatal("the unvouched IdP's session survived the proof of the address")
		}
	})
}

func errOfUser(_ provisioning.User, err error) error { return err }
