package sso

import (
	"fmt"
	"html/template"
	"net/http"

	"github.com/rollcall/rollcall/httperr"
	"github.com/rollcall/rollcall/provisioning"
)

// checkError is a refused check: a message safe to show anyone, and a detail (the library's
// reason, expected values) that goes only to the org's audit log and the server log.
type checkError struct {
	err    *provisioning.Error
	detail string
}

func (e *checkError) Error() string { return e.err.Error() + " (" + e.detail + ")" }
func (e *checkError) Unwrap() error { return e.err }

// refuse builds a checkError with code and a shown message; detail is for the audit log.
func refuse(code provisioning.Code, detail error, format string, args ...any) error {
	d := ""
	if detail != nil {
		d = firstLine(detail.Error())
	}
	return &checkError{err: provisioning.Errorf(code, format, args...), detail: d}
}

// statusOf is the page's HTTP status for err (httperr's table, as every transport).
func statusOf(err error) int { return httperr.StatusOf(err) }

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{{.Title}} · Rollcall</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem}.msg{background:#fff4f4;border-left:4px solid #c33;padding:.75rem 1rem}</style>
</head><body><h1>{{.Title}}</h1><p class="msg" id="message">{{.Message}}</p>
{{if .Retry}}<p><a href="{{.Retry}}">Start the sign-in again</a></p>{{end}}
<p><small>Status {{.Status}}.{{if .Ref}} Reference <code id="ref">{{.Ref}}</code>.{{end}} If this keeps happening, contact your organization's administrator{{if .Ref}} and give them the reference{{end}}.</small></p>
</body></html>
`))

var chooserTemplate = template.Must(template.New("chooser").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Choose how to sign in · Rollcall</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem}li{margin:.5rem 0}</style>
</head><body><h1>Choose how to sign in</h1><ul id="connections">
{{range .Options}}<li><a href="{{.Href}}">{{.Name}}</a> <small>({{.Protocol}})</small></li>
{{end}}</ul></body></html>
`))

// page renders a small HTML page with a title, a message (escaped) and the reference of the
// request, which the log line and audit row of a failure carry too.
func (s *Service) page(w http.ResponseWriter, status int, title, message, retry, ref string) {
	s.render(w, status, pageTemplate, map[string]any{"Title": title, "Message": message, "Retry": retry, "Ref": ref,
		"Status": fmt.Sprintf("%d %s", status, http.StatusText(status))})
}

// render writes one of the SSO pages: never cached, no scripts, not framed.
func (s *Service) render(w http.ResponseWriter, status int, t *template.Template, data any) {
	noStore(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	if err := t.Execute(w, data); err != nil {
		s.logger.Error("sso: render page", "err", err)
	}
}

func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
}
