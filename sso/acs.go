package sso

import (
	"context"
	"encoding/base64"
	"net/http"
	"slices"
	"strings"

	"github.com/crewjam/saml"
	"github.com/go-chi/chi/v5"

	"github.com/rollcall/rollcall/provisioning"
)

// maxACSBody bounds the form an IdP posts to the ACS.
const maxACSBody = 2 << 20

// handleACS is the Assertion Consumer Service: POST /sso/saml/{connection}/acs.
func (s *Service) handleACS(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxACSBody)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, nil, nil, "read response", provisioning.Errorf(provisioning.CodeInvalid, "The sign-in response could not be read (it is malformed or larger than 2 MB)."))
		return
	}
	s.complete(w, r, ProtocolSAML, "SAML response", s.verifySAML)
}

// complete ends a sign-in at the IdP's return: it loads the connection, verifies what the IdP
// sent, provisions the person and delivers the result, rendering a clear page on any failure.
func (s *Service) complete(w http.ResponseWriter, r *http.Request, protocol, step string,
	verify func(context.Context, *http.Request, connection) (arrival, error)) {
	ctx := r.Context()
	conn, err := s.activeConnection(ctx, chi.URLParam(r, "connection"), protocol)
	if provisioning.IsCode(err, provisioning.CodeForbidden) && s.isTestFlow(ctx, r, conn) {
		err = nil // a connection is tested before it is turned on
	}
	if err != nil {
		s.fail(w, r, conn.orNil(), nil, "connection", err)
		return
	}
	a, err := verify(ctx, r, conn)
	if a.flow.TestBy != "" {
		s.concludeTest(w, r, a, step, err)
		return
	}
	if err != nil {
		s.fail(w, r, &conn, a.flowHash, step, err)
		return
	}
	out, err := s.finish(ctx, a)
	if err != nil {
		s.fail(w, r, &conn, a.flowHash, "sign-in", err)
		return
	}
	s.deliver(w, r, a, out)
}

// activeConnection loads an enabled connection of the given protocol (any when empty).
func (s *Service) activeConnection(ctx context.Context, id, protocol string) (connection, error) {
	var c connection
	err := s.svc.SSODoor().View(ctx, func(tx provisioning.SSOTxn) error {
		var err error
		c, err = getConnection(ctx, tx, "", id)
		return err
	})
	if provisioning.IsCode(err, provisioning.CodeNotFound) || (err == nil && protocol != "" && c.Protocol != protocol) {
		return c, provisioning.Errorf(provisioning.CodeNotFound, "There is no such single sign-on connection (%q).", truncate(id))
	}
	if err == nil && !c.Enabled {
		return c, provisioning.Errorf(provisioning.CodeForbidden, "Single sign-on through %s is turned off. Ask an administrator of your organization.", c.Name)
	}
	return c, err
}

// verifySAML checks a posted response completely and returns who arrives. The returned arrival
// carries the flow's hash even on failure, so the failure burns the flow.
func (s *Service) verifySAML(ctx context.Context, r *http.Request, c connection) (arrival, error) {
	a := arrival{conn: c}
	if r.PostForm.Get("SAMLart") != "" {
		return a, refuse(provisioning.CodeInvalid, nil, "This connection accepts SAML responses by HTTP-POST only, not by artifact.")
	}
	relay := r.PostForm.Get("RelayState")
	idpInitiated := !strings.HasPrefix(relay, flowPrefix)
	var requestIDs []string
	switch {
	case !idpInitiated:
		f, hash, err := s.loadFlow(ctx, r, relay, c.ID)
		a.flowHash = hash
		if err != nil {
			return a, err
		}
		a.flow, requestIDs = f, []string{f.RequestID}
	case !c.cfg.SAML.AllowIDPInitiated:
		return a, refuse(provisioning.CodeForbidden, nil, "This connection accepts only sign-ins started at Rollcall; sign-ins started at the identity provider are turned off. Use your organization's Rollcall sign-in link.")
	case relay != "" && slices.Contains(c.cfg.RedirectURIs, relay):
		a.flow.RedirectURI = relay
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(r.PostForm.Get("SAMLResponse")))
	if err != nil || len(raw) == 0 {
		return a, refuse(provisioning.CodeInvalid, err, "The sign-in response has no SAMLResponse, or it is not base64.")
	}
	sh, err := inspectResponse(raw)
	if err != nil {
		return a, err
	}
	if idpInitiated && sh.inResponseTo != "" {
		return a, refuse(provisioning.CodeUnauthorized, nil, "The SAML response answers a sign-in request, but it arrived without that sign-in.")
	}
	as, err := s.parseResponse(ctx, c, raw, requestIDs, idpInitiated)
	if provisioning.IsCode(err, provisioning.CodeUnauthorized) {
		// The IdP may have rolled its certificate over: fetch its metadata again (rate-limited)
		// and check the response once more against what it publishes now.
		if fresh, changed := s.refreshAfterSignatureFailure(ctx, c); changed {
			a.conn = fresh
			as, err = s.parseResponse(ctx, fresh, raw, requestIDs, idpInitiated)
		}
	}
	if err != nil {
		return a, err
	}
	if err := s.checkAssertion(as, idpInitiated); err != nil {
		return a, err
	}
	a.assertionID, a.assertionExpiry = as.ID, s.replayExpiry(as)
	a.attrs, a.nameIDFormat = samlAttributes(as), as.Subject.NameID.Format
	a.identity, err = samlIdentity(c, as)
	return a, err
}

// recommendedNameIDFormats are the NameID formats the SP metadata asks for, best first: a
// persistent NameID follows a person through renames.
var recommendedNameIDFormats = []string{string(saml.PersistentNameIDFormat), string(saml.EmailAddressNameIDFormat)}

// transientNameID is the NameID format of a one-time pseudonym (SimpleSAMLphp's default): it
// names nobody across sign-ins, so such a person is matched by email instead.
const transientNameID = string(saml.TransientNameIDFormat)

// samlIdentity maps the assertion's attributes and NameID to the pipeline's identity.
func samlIdentity(c connection, as *saml.Assertion) (provisioning.Identity, error) {
	attrs := samlAttributes(as)
	nameID := strings.TrimSpace(as.Subject.NameID.Value)
	id := c.cfg.Mapping.person(attrs, samlNames, attrs.has(samlGroupsOverage))
	if id.Email == "" && strings.Contains(nameID, "@") {
		id.Email = nameID
	}
	id.Issuer = c.issuer()
	if as.Subject.NameID.Format == transientNameID {
		id.Transient = true
	} else {
		id.Subject = nameID
	}
	return normalizeEmail(c, id)
}

// samlAttributes are the assertion's attributes, each under its Name and its FriendlyName.
func samlAttributes(as *saml.Assertion) attributes {
	attrs := attributes{}
	for _, st := range as.AttributeStatements {
		for _, at := range st.Attributes {
			values := make([]string, 0, len(at.Values))
			for _, v := range at.Values {
				values = append(values, v.Value)
			}
			attrs.add(at.Name, values...)
			if !strings.EqualFold(at.FriendlyName, at.Name) {
				attrs.add(at.FriendlyName, values...)
			}
		}
	}
	return attrs
}

// normalizeEmail checks the email the IdP sent. Whom it may reach is the core's decision
// (provisioning's identity resolution): an org's IdP speaks only for the org's verified domains.
func normalizeEmail(c connection, id provisioning.Identity) (provisioning.Identity, error) {
	if id.Email == "" {
		return id, refuse(provisioning.CodeInvalid, nil, "The identity provider sent no email address. An administrator must map the email attribute of the %s connection.", c.Name)
	}
	email, err := provisioning.NormalizeEmail(id.Email)
	if err != nil {
		return id, refuse(provisioning.CodeInvalid, nil, "The identity provider sent %q as the email address, which is not a valid address.", truncate(id.Email))
	}
	id.Email = email
	return id, nil
}
