package invites

import (
	"net/http"

	"github.com/rollcall/rollcall/httperr"
	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/web/page"
)

// logoutPath is where the header's "Sign out" button posts.
const logoutPath = "/auth/logout"

// writeError renders err as JSON or as a page; internal causes go only to the log.
func (s *Service) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := provisioning.ErrorCode(err)
	status := httperr.Status(code)
	httperr.LogFailure(r.Context(), s.logger, "request failed", err, "path", provisioning.RedactPath(r.URL.Path))
	httperr.SetRetryAfterFor(w.Header(), err)
	msg := provisioning.ErrorMessage(err)
	if wantsJSON(r) {
		_ = writeJSON(w, status, map[string]any{"error": map[string]string{
			"code": string(code), "message": msg, "field": provisioning.ErrorField(err)}})
		return
	}
	e := page.ErrorPage{Code: code, Message: msg}
	if code == provisioning.CodeUnauthorized {
		f := signInForm("", "")
		e.SignIn = &f
	}
	if rerr := page.WriteError(w, e); rerr != nil {
		s.logger.ErrorContext(r.Context(), "render error page", "err", rerr)
	}
}

// writePage renders a page of the sign-in and invitation flows.
func (s *Service) writePage(w http.ResponseWriter, r *http.Request, status int, p page.Page) {
	if err := page.Write(w, status, p); err != nil {
		s.logger.ErrorContext(r.Context(), "render page", "err", err)
	}
}

// person is u for the page header, with a sign-out button; nil for nobody.
func person(u *provisioning.User) *page.Person {
	if u == nil {
		return nil
	}
	return &page.Person{Email: u.Email, SignOut: logoutPath}
}

func signInForm(email, next string) page.Form {
	f := page.Form{Action: "/auth/email", Button: "Email me a sign-in link", AskEmail: true, Email: email}
	if next != "" {
		f.Hidden = map[string]string{"next": next}
	}
	return f
}
