package invites

import (
	"html/template"
	"net/http"

	"github.com/rollcall/rollcall/httperr"
	"github.com/rollcall/rollcall/provisioning"
)

// writeError renders err as JSON or as a page; internal causes go only to the log.
func (s *Service) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := provisioning.ErrorCode(err)
	status := httperr.Status(code)
	if status >= 500 {
		s.logger.ErrorContext(r.Context(), "request failed", "err", err, "path", r.URL.Path)
	}
	if code == provisioning.CodeRateLimited {
		w.Header().Set("Retry-After", "60")
	}
	msg := provisioning.ErrorMessage(err)
	if wantsJSON(r) {
		_ = writeJSON(w, status, map[string]any{"error": map[string]string{
			"code": string(code), "message": msg, "field": provisioning.ErrorField(err)}})
		return
	}
	p := page{Title: "Something is not right", Lines: []string{msg}}
	if code == provisioning.CodeUnauthorized {
		p.Forms = []form{signInForm("", "")}
	}
	writePage(w, status, p)
}

// page is a minimal HTML page: a title, lines of text, links and forms.
type page struct {
	Title string
	Lines []string
	Links []link
	Forms []form
}

type link struct{ Href, Text string }

// form posts to Action; AskEmail adds an email field prefilled with Email.
type form struct {
	Action   string
	Button   string
	AskEmail bool
	Email    string
	Hidden   map[string]string
}

func signInForm(email, next string) form {
	f := form{Action: "/auth/email", Button: "Email me a sign-in link", AskEmail: true, Email: email}
	if next != "" {
		f.Hidden = map[string]string{"next": next}
	}
	return f
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{{.Title}} · Rollcall</title></head>
<body><main>
<h1>{{.Title}}</h1>
{{range .Lines}}<p>{{.}}</p>
{{end}}{{range .Links}}<p><a href="{{.Href}}">{{.Text}}</a></p>
{{end}}{{range .Forms}}<form method="post" action="{{.Action}}">
{{if .AskEmail}}<label>Email <input type="email" name="email" value="{{.Email}}" required></label>
{{end}}{{range $k, $v := .Hidden}}<input type="hidden" name="{{$k}}" value="{{$v}}">
{{end}}<button type="submit">{{.Button}}</button>
</form>
{{end}}</main></body></html>
`))

func writePage(w http.ResponseWriter, status int, p page) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; form-action 'self'; frame-ancestors 'none'")
	w.Header().Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	_ = pageTemplate.Execute(w, p)
}
