package sso

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

// testResultTTL is how long a finished test's result stays readable.
const testResultTTL = time.Hour

const testWhat = "test single sign-on"

// TestResult is what a test sign-in found: what the identity provider sent, what Rollcall made
// of it, and what a real sign-in would have done, or why it would have been refused. Nothing of
// it was provisioned: no user, membership, identity link or session was written.
type TestResult struct {
	ID           string    `json:"id"`
	ConnectionID string    `json:"connectionId"`
	Protocol     string    `json:"protocol"`
	At           time.Time `json:"at"`
	// Pending is set while the test has not come back from the identity provider.
	Pending bool `json:"pending,omitempty"`
	// Refusal is why a real sign-in would be turned away, empty when it would succeed; Step
	// names the stage that refused it and Detail the library's reason (as the audit log keeps).
	Refusal string `json:"refusal,omitempty"`
	Step    string `json:"step,omitempty"`
	Detail  string `json:"detail,omitempty"`
	// Subject is the SAML NameID or the OIDC sub; SubjectFormat the NameID's format. A
	// transient NameID names nobody across sign-ins: such people are matched by email.
	Subject       string `json:"subject,omitempty"`
	SubjectFormat string `json:"subjectFormat,omitempty"`
	Transient     bool   `json:"transient,omitempty"`
	Email         string `json:"email,omitempty"`
	// Vouched says the email's domain is a verified domain of the connection's org, so its
	// identity provider speaks for the address (VouchNote says why or why not).
	Vouched   bool   `json:"vouched"`
	VouchNote string `json:"vouchNote,omitempty"`
	FirstName string `json:"firstName,omitempty"`
	LastName  string `json:"lastName,omitempty"`
	// Groups are the groups read; GroupsSent is false when the IdP sent no groups at all.
	Groups     []string `json:"groups"`
	GroupsSent bool     `json:"groupsSent"`
	// RuleRole is the role the group rules give (empty: none applies) and RuleReason why.
	RuleRole   provisioning.Role `json:"ruleRole,omitempty"`
	RuleReason string            `json:"ruleReason,omitempty"`
	// Role, HasSeat and Outcome are what the sign-in would have made of the person.
	Role    provisioning.Role `json:"role,omitempty"`
	HasSeat bool              `json:"hasSeat"`
	Outcome string            `json:"outcome,omitempty"`
	// Attributes are everything the IdP sent (attribute or claim names lower-cased).
	Attributes []TestAttribute `json:"attributes"`
}

// TestAttribute is one attribute or claim a test sign-in received.
type TestAttribute struct {
	Name   string   `json:"name"`
	Values []string `json:"values"`
}

// StartTest begins a test sign-in through one of the org's connections, on or off, for actor, a
// signed-in owner or admin, and sends the browser to the identity provider. The flow records
// that it is a test and who started it; when the IdP answers, the ACS or callback runs every
// check of a real sign-in, runs the pipeline in a transaction it rolls back, stores the result
// for returnTo (a path on this site; the test's id is added as ?test=) and signs nobody in.
func (s *Service) StartTest(w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID, connID, returnTo string) error {
	if actor.Kind != provisioning.ActorUser || actor.UserID == "" {
		return provisioning.Errorf(provisioning.CodeForbidden, "a test sign-in is started by a signed-in owner or admin, from the console")
	}
	if !strings.HasPrefix(returnTo, "/") || strings.HasPrefix(returnTo, "//") || strings.ContainsAny(returnTo, "\\?#") {
		return provisioning.Invalidf("returnTo", "the result page must be a path on this site")
	}
	var c connection
	err := s.svc.SSODoor().View(r.Context(), func(tx provisioning.SSOTxn) error {
		if _, err := s.svc.Authorize(r.Context(), tx, actor, orgID, provisioning.RoleAdmin, testWhat); err != nil {
			return err
		}
		var err error
		c, err = getConnection(r.Context(), tx, orgID, connID)
		return err
	})
	if err != nil {
		return err
	}
	if !c.cfg.configured() {
		return provisioning.Errorf(provisioning.CodeConflict, "finish the identity provider's settings of %s first: there is nothing to test yet", c.Name)
	}
	st := start{conn: c, testBy: actor.UserID, testReturn: returnTo}
	if c.Protocol == ProtocolSAML {
		return s.startSAML(r.Context(), w, r, st)
	}
	return s.startOIDC(r.Context(), w, r, st)
}

// GetTest returns a test sign-in's result to the owner or admin who started it; to anyone else
// it does not exist. A test still at the IdP is Pending.
func (s *Service) GetTest(ctx context.Context, actor provisioning.Actor, orgID, connID, testID string) (TestResult, error) {
	var f provisioning.SSOFlow
	err := s.svc.SSODoor().View(ctx, func(tx provisioning.SSOTxn) error {
		if _, err := s.svc.Authorize(ctx, tx, actor, orgID, provisioning.RoleAdmin, testWhat); err != nil {
			return err
		}
		var err error
		f, err = tx.GetSSOFlowByID(ctx, testID)
		return err
	})
	gone := provisioning.Errorf(provisioning.CodeNotFound, "there is no such test sign-in: results are kept for an hour, and only for the admin who ran the test. Run the test again.")
	switch {
	case provisioning.IsCode(err, provisioning.CodeNotFound):
		return TestResult{}, gone
	case err != nil:
		return TestResult{}, err
	case f.TestBy == "" || f.TestBy != actor.UserID || f.OrgID != orgID || f.ConnectionID != connID || !s.svc.Now().Before(f.ExpiresAt):
		return TestResult{}, gone
	case f.TestResult == nil:
		return TestResult{ID: f.ID, ConnectionID: f.ConnectionID, At: f.CreatedAt, Pending: true}, nil
	}
	var res TestResult
	if err := json.Unmarshal(f.TestResult, &res); err != nil {
		return TestResult{}, provisioning.Internal(err)
	}
	return res, nil
}

// isTestFlow reports whether the request answers a test flow of c (its RelayState or state).
func (s *Service) isTestFlow(ctx context.Context, r *http.Request, c connection) bool {
	secret := r.URL.Query().Get("state")
	if r.Method == http.MethodPost {
		secret = r.PostForm.Get("RelayState")
	}
	if !strings.HasPrefix(secret, flowPrefix) || c.ID == "" {
		return false
	}
	var f provisioning.SSOFlow
	err := s.svc.SSODoor().View(ctx, func(tx provisioning.SSOTxn) error {
		var err error
		f, err = tx.GetSSOFlow(ctx, provisioning.HashSecret(secret))
		return err
	})
	return err == nil && f.TestBy != "" && f.ConnectionID == c.ID
}
