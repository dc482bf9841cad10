package page_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rollcall/rollcall/httperr"
	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/web/page"
)

// TestErrorPageEveryCode renders the error page for every code of the core: the status comes
// from httperr's table, the page is in the frame with the security headers, and the message,
// reference, retry link and sign-in form show when given.
func TestErrorPageEveryCode(t *testing.T) {
	for _, c := range provisioning.Codes() {
		w := httptest.NewRecorder()
		err := page.WriteError(w, page.ErrorPage{Code: c, Message: "It broke <here>.", Ref: "req-42",
			Retry:  &page.Link{Href: "/sso/start?connection=c1", Text: "Start the sign-in again"},
			SignIn: &page.Form{Action: "/auth/email", Button: "Email me a sign-in link", AskEmail: true}})
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		status := httperr.Status(c)
		if w.Code != status {
			t.Errorf("%s: status %d, want %d", c, w.Code, status)
		}
		checkHeaders(t, w.Header())
		body := w.Body.String()
		checkFrame(t, body)
		for _, want := range []string{"<h1>Something is not right</h1>", `<p class="message" id="message">It broke &lt;here&gt;.</p>`,
			`<code id="ref">req-42</code>`, `<a href="/sso/start?connection=c1">Start the sign-in again</a>`,
			`action="/auth/email"`, fmt.Sprintf("Status %d %s.", status, http.StatusText(status))} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: page lacks %q:\n%s", c, want, body)
			}
		}
	}
}

// TestErrorPageMinimal: without a reference, retry link or form the page says only what failed.
func TestErrorPageMinimal(t *testing.T) {
	w := httptest.NewRecorder()
	if err := page.WriteError(w, page.ErrorPage{Code: provisioning.CodeNotFound, Title: "Not found", Message: "No such page."}); err != nil {
		t.Fatal(err)
	}
	body := w.Body.String()
	if w.Code != http.StatusNotFound || !strings.Contains(body, "<h1>Not found</h1>") || !strings.Contains(body, "Status 404 Not Found.") {
		t.Fatalf("%d:\n%s", w.Code, body)
	}
	if strings.Contains(body, `id="ref"`) || strings.Contains(body, "<form") || strings.Contains(body, "give them the reference") {
		t.Fatalf("empty slots show:\n%s", body)
	}
}
