package invites

import (
	"bytes"
	"context"
	"encoding/json"
	htmltemplate "html/template"
	texttemplate "text/template"

	"github.com/rollcall/rollcall/provisioning"
)

// Mail is one email as the outbox keeps it until delivery.
type Mail struct {
	To       string `json:"to"`
	Subject  string `json:"subject"`
	Text     string `json:"text"`
	HTML     string `json:"html"`
	Template string `json:"template"`
}

// mailData fills the templates.
type mailData struct {
	OrgName string
	Inviter string
	Role    provisioning.Role
	Link    string
	Expires string
	Minutes int
}

var textTemplates = texttemplate.Must(texttemplate.New("").Parse(`
{{define "invitation"}}{{.Inviter}} invited you to join {{.OrgName}} on Rollcall as {{.Role}}.

Accept the invitation:
{{.Link}}
{{if .Expires}}
The invitation expires on {{.Expires}}.{{end}}
If you did not expect this, ignore this email.
{{end}}
{{define "signin"}}Sign in to Rollcall with this link:
{{.Link}}

It works once, for {{.Minutes}} minutes. If you did not ask to sign in, ignore this email.
{{end}}`))

var htmlTemplates = htmltemplate.Must(htmltemplate.New("").Parse(`
{{define "invitation"}}<!doctype html><html><body>
<p>{{.Inviter}} invited you to join <strong>{{.OrgName}}</strong> on Rollcall as {{.Role}}.</p>
<p><a href="{{.Link}}">Accept the invitation</a></p>
{{if .Expires}}<p>The invitation expires on {{.Expires}}.</p>{{end}}
<p>If you did not expect this, ignore this email.</p>
</body></html>{{end}}
{{define "signin"}}<!doctype html><html><body>
<p><a href="{{.Link}}">Sign in to Rollcall</a></p>
<p>The link works once, for {{.Minutes}} minutes. If you did not ask to sign in, ignore this email.</p>
</body></html>{{end}}`))

// render builds a Mail from the named template pair.
func render(tmpl, to, subject string, d mailData) (Mail, error) {
	var text, html bytes.Buffer
	if err := textTemplates.ExecuteTemplate(&text, tmpl, d); err != nil {
		return Mail{}, provisioning.Internal(err)
	}
	if err := htmlTemplates.ExecuteTemplate(&html, tmpl, d); err != nil {
		return Mail{}, provisioning.Internal(err)
	}
	return Mail{To: to, Subject: subject, Text: text.String(), HTML: html.String(), Template: tmpl}, nil
}

// queuedMail is a mail as the outbox keeps it: whom it goes to in clear, for operators, and the
// mail itself (links included) sealed with the secret key, bound to the message id, so a copy
// of the outbox table signs nobody in. Once sent, only the clear part stays.
type queuedMail struct {
	To       string `json:"to"`
	Subject  string `json:"subject"`
	Template string `json:"template"`
	Sealed   []byte `json:"sealed,omitempty"`
}

// mailAAD binds a sealed mail to its outbox message.
func mailAAD(messageID string) string { return "outbox.email:" + messageID }

// enqueue writes a mail to the outbox inside tx, so it is sent exactly when the change commits.
func (s *Service) enqueue(ctx context.Context, tx provisioning.InviteTxn, orgID string, m Mail) error {
	plain, err := json.Marshal(m)
	if err != nil {
		return provisioning.Internal(err)
	}
	id := provisioning.NewID()
	sealed, err := s.svc.SealTx(ctx, tx, plain, mailAAD(id))
	if err != nil {
		return err
	}
	payload, err := json.Marshal(queuedMail{To: m.To, Subject: m.Subject, Template: m.Template, Sealed: sealed})
	if err != nil {
		return provisioning.Internal(err)
	}
	return s.svc.EnqueueTx(ctx, tx, provisioning.OutboxMessage{
		ID: id, OrgID: orgID, Kind: provisioning.OutboxEmail, Topic: "email." + m.Template, Payload: payload,
	})
}
