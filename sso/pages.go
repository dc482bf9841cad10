package sso

import (
	"encoding/base64"
	"net/http"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/web/page"
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

// page renders the error page of a failed SSO request: its status is the code's (httperr's
// table, as every transport), with a message (escaped), an optional link to start the sign-in
// again, and the reference of the request, which the log line and audit row carry too.
func (s *Service) page(w http.ResponseWriter, code provisioning.Code, title, message, retry, ref string) {
	e := page.ErrorPage{Code: code, Title: title, Message: message, Ref: ref}
	if retry != "" {
		e.Retry = &page.Link{Href: retry, Text: "Start the sign-in again"}
	}
	if err := page.WriteError(w, e); err != nil {
		s.logger.Error("sso: render page", "err", err)
	}
}

// render writes one of the other SSO pages.
func (s *Service) render(w http.ResponseWriter, status int, p page.Page) {
	if err := page.Write(w, status, p); err != nil {
		s.logger.Error("sso: render page", "err", err)
	}
}

// chooser is the page listing an org's connections, each starting the sign-in with it.
func chooser(options []choice) page.Page {
	p := page.Page{Title: "Choose how to sign in",
		Lines: []string{"Your organization offers more than one way to sign in. Choose the one you use."}}
	for _, o := range options {
		p.Links = append(p.Links, page.Link{Href: o.Href, Text: o.Name, Note: o.Protocol})
	}
	return p
}

// postAuthnRequest renders the SAML HTTP-POST binding: a form that posts the AuthnRequest and
// relay state to the IdP. The site's script submits it at once; without JavaScript the person
// presses Continue. The page's policy lets its form go to the IdP and on to any https site:
// browsers check the redirects that follow a form's post against form-action too, and an IdP
// may pass the person on at once (an Okta routing rule to another IdP).
func (s *Service) postAuthnRequest(w http.ResponseWriter, req *saml.AuthnRequest, relayState string) error {
	doc := etree.NewDocument()
	doc.SetRoot(req.Element())
	raw, err := doc.WriteToBytes()
	if err != nil {
		return provisioning.Internal(err)
	}
	s.render(w, http.StatusOK, page.Page{Title: "Continue to your identity provider",
		Lines: []string{"Rollcall is sending you to your organization's identity provider to sign in."},
		Forms: []page.Form{{Action: req.Destination, Button: "Continue", AutoSubmit: true,
			Hidden: map[string]string{"SAMLRequest": base64.StdEncoding.EncodeToString(raw), "RelayState": relayState}}},
		FormTargets: []string{req.Destination, "https:"}})
	return nil
}

func noStore(w http.ResponseWriter) { page.NoStore(w.Header()) }
