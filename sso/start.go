package sso

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/rollcall/rollcall/provisioning"
)

// maxAppState bounds the opaque state the app may pass through a sign-in.
const maxAppState = 512

// handleStart begins a sign-in: it finds the connection (by id, by org, or by the email's
// verified domain), checks the app's redirect URI, and sends the browser to the IdP.
func (s *Service) handleStart(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	conn, err := s.findConnection(ctx, q)
	if c, ok := errors.AsType[*choiceNeeded](err); ok {
		s.choose(w, q, c)
		return
	}
	if err != nil {
		s.page(w, provisioning.ErrorCode(err), "Sign-in could not start", provisioning.ErrorMessage(err), "", refOf(r))
		return
	}
	st := start{conn: conn, redirectURI: q.Get("redirect_uri"), appState: q.Get("state")}
	if err := checkStart(st); err != nil {
		s.fail(w, r, &conn, nil, "start", err)
		return
	}
	if conn.Protocol == ProtocolSAML {
		err = s.startSAML(ctx, w, r, st)
	} else {
		err = s.startOIDC(ctx, w, r, st)
	}
	if err != nil {
		s.fail(w, r, &conn, nil, "start", err)
	}
}

func checkStart(st start) error {
	if st.redirectURI != "" && !slices.Contains(st.conn.cfg.RedirectURIs, st.redirectURI) {
		return refuse(provisioning.CodeForbidden, nil, "The address the app asked to return to (redirect_uri) is not registered for this connection.")
	}
	if len(st.appState) > maxAppState {
		return refuse(provisioning.CodeInvalid, nil, "The app's state parameter is longer than %d characters.", maxAppState)
	}
	return nil
}

// findConnection resolves ?connection=, else ?org= (slug or id), else ?email= through
// home-realm discovery, to an enabled connection.
func (s *Service) findConnection(ctx context.Context, q url.Values) (connection, error) {
	if id := strings.TrimSpace(q.Get("connection")); id != "" {
		return s.activeConnection(ctx, id, "")
	}
	if slug := strings.TrimSpace(q.Get("org")); slug != "" {
		org, err := s.svc.ResolveOrg(ctx, slug)
		if provisioning.IsCode(err, provisioning.CodeNotFound) {
			return connection{}, provisioning.Errorf(provisioning.CodeNotFound, "There is no organization %q.", slug)
		}
		if err != nil {
			return connection{}, err
		}
		return s.orgConnection(ctx, org.ID)
	}
	email := strings.TrimSpace(q.Get("email"))
	if email == "" {
		return connection{}, provisioning.Errorf(provisioning.CodeInvalid, "Say where to sign in: give your work email (?email=), your organization (?org=) or a connection (?connection=).")
	}
	if s.realms == nil {
		return connection{}, provisioning.Errorf(provisioning.CodeNotFound, "Sign-in by email is not available on this Rollcall. Use your organization's sign-in link.")
	}
	orgID, err := s.realms.FindOrgByEmail(ctx, email)
	if provisioning.IsCode(err, provisioning.CodeInvalid) {
		return connection{}, provisioning.Errorf(provisioning.CodeInvalid, "%q is not a valid email address.", truncate(email))
	}
	if provisioning.IsCode(err, provisioning.CodeNotFound) {
		return connection{}, provisioning.Errorf(provisioning.CodeNotFound, "No organization uses single sign-on for this email address. Sign in another way, or ask your administrator for your organization's sign-in link.")
	}
	if err != nil {
		return connection{}, err
	}
	return s.orgConnection(ctx, orgID)
}

// orgConnection is the org's one enabled connection; with several, the person chooses
// (choiceNeeded).
func (s *Service) orgConnection(ctx context.Context, orgID string) (connection, error) {
	var enabled []provisioning.SSOConnection
	err := s.svc.SSODoor().View(ctx, func(tx provisioning.SSOTxn) error {
		list, err := tx.ListSSOConnections(ctx, orgID)
		for _, c := range list {
			if c.Enabled {
				enabled = append(enabled, c)
			}
		}
		return err
	})
	switch {
	case err != nil:
		return connection{}, err
	case len(enabled) == 0:
		return connection{}, provisioning.Errorf(provisioning.CodeNotFound, "This organization has no single sign-on connection turned on.")
	case len(enabled) > 1:
		return connection{}, &choiceNeeded{connections: enabled}
	}
	return decodeConnection(enabled[0])
}

// choiceNeeded says the org has several enabled connections and the person picks one.
type choiceNeeded struct{ connections []provisioning.SSOConnection }

func (c *choiceNeeded) Error() string { return "several connections: the person chooses" }

// choose renders the list of an org's connections, each starting the sign-in with it and
// carrying the app's redirect_uri and state along.
func (s *Service) choose(w http.ResponseWriter, q url.Values, c *choiceNeeded) {
	var options []choice
	for _, conn := range c.connections {
		next := url.Values{"connection": {conn.ID}}
		for _, k := range []string{"redirect_uri", "state"} {
			if v := q.Get(k); v != "" {
				next.Set(k, v)
			}
		}
		options = append(options, choice{Name: conn.Name, Protocol: conn.Protocol, Href: MountPath + "/start?" + next.Encode()})
	}
	s.render(w, http.StatusOK, chooser(options))
}

type choice struct{ Name, Protocol, Href string }
