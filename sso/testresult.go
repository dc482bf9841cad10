package sso

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"github.com/rollcall/rollcall/httperr"
	"github.com/rollcall/rollcall/provisioning"
)

// errRolledBack ends the transaction of a test's pipeline run: returning it rolls back.
var errRolledBack = errors.New("sso: a test sign-in writes nothing")

// Bounds of what a test result keeps of the attributes the IdP sent.
const (
	maxTestAttributes = 60
	maxTestValues     = 20
	maxTestValue      = 200
)

// concludeTest ends the IdP's answer to a test flow that this browser started. Every check of a
// real sign-in ran in verify (verr is its refusal); when they passed, the pipeline runs as for a
// real sign-in and is rolled back, so the result says what a real sign-in would have done. The
// result is stored with the flow (which is used up, as a real sign-in's), the test is audited,
// and the browser goes to the console's result page. Nothing else is written: no user,
// membership, identity link, session or code.
func (s *Service) concludeTest(w http.ResponseWriter, r *http.Request, a arrival, step string, verr error) {
	ctx := r.Context()
	res := s.arrived(ctx, a)
	if verr == nil {
		if verr = s.dryRun(ctx, a, &res); verr != nil {
			step = "sign-in"
		}
	}
	if verr != nil {
		res.Refusal, res.Step, res.Detail = provisioning.ErrorMessage(verr), step, detailOf(verr)
		if httperr.Status(provisioning.ErrorCode(verr)) >= 500 {
			httperr.LogFailure(ctx, s.logger, "sso test sign-in failed", verr, "step", step, "ref", refOf(r))
		}
	}
	if err := s.saveTest(ctx, a, res, verr == nil); err != nil {
		s.fail(w, r, &a.conn, a.flowHash, "test sign-in", err)
		return
	}
	noStore(w)
	http.Redirect(w, r, a.flow.TestReturn+"?test="+url.QueryEscape(a.flow.ID), http.StatusSeeOther)
}

// arrived is what the IdP sent, as the result page shows it.
func (s *Service) arrived(ctx context.Context, a arrival) TestResult {
	id := a.identity
	res := TestResult{ID: a.flow.ID, ConnectionID: a.conn.ID, Protocol: a.conn.Protocol, At: s.svc.Now(),
		Subject: id.Subject, SubjectFormat: a.nameIDFormat, Transient: id.Transient, Email: id.Email,
		FirstName: id.FirstName, LastName: id.LastName, Groups: nonNil(id.Groups), GroupsSent: id.Groups != nil,
		Attributes: a.attrs.list()}
	if id.Email != "" {
		res.Vouched, res.VouchNote = s.vouch(ctx, a.conn.OrgID, id.Email)
	}
	return res
}

// vouch says whether the org has verified the email's domain, so that its IdP speaks for it.
func (s *Service) vouch(ctx context.Context, orgID, email string) (bool, string) {
	domain := provisioning.EmailDomain(email)
	if s.realms == nil {
		return false, "Rollcall does not know the verified domains here."
	}
	holder, err := s.realms.FindOrgByEmail(ctx, email)
	switch {
	case err == nil && holder == orgID:
		return true, domain + " is a verified domain of this organization: its identity provider speaks for the address."
	case err == nil:
		return false, domain + " is verified by another organization: this identity provider cannot sign in anyone at it."
	case provisioning.IsCode(err, provisioning.CodeNotFound):
		return false, domain + " is not a verified domain of this organization: its identity provider may create a new account at this address, but never sign in an existing one. Verify the domain to vouch for it."
	}
	return false, "Rollcall could not check the domain " + domain + " now."
}

// dryRun runs the pipeline for the arrival exactly as a real sign-in does, in a transaction it
// always rolls back, and notes what it decided.
func (s *Service) dryRun(ctx context.Context, a arrival, res *TestResult) error {
	err := s.svc.SSODoor().Update(ctx, func(tx provisioning.SSOTxn) error {
		if err := recordAssertion(ctx, tx, a); err != nil {
			return err
		}
		org, err := tx.GetOrg(ctx, a.conn.OrgID)
		if err != nil {
			return err
		}
		res.RuleRole, res.RuleReason = a.conn.cfg.roleFor(a.identity.Groups, org)
		out, err := s.provision(ctx, tx, a)
		if err != nil {
			return err
		}
		res.Role, res.HasSeat, res.Outcome = out.Membership.Role, out.Membership.HasSeat(), outcomeText(out, org.Name)
		return errRolledBack
	})
	if errors.Is(err, errRolledBack) {
		return nil
	}
	return err
}

// outcomeText words what the pipeline decided.
func outcomeText(out provisioning.ProvisionResult, orgName string) string {
	who := out.User.Email + " (an existing account)"
	if out.UserCreated {
		who = "A new account for " + out.User.Email
	}
	role := string(out.Membership.Role)
	seat := "with a seat"
	if !out.Membership.HasSeat() {
		seat = "without a seat"
	}
	if out.SeatWithheld != "" {
		seat += " (" + string(out.SeatWithheld) + ")"
	}
	switch out.Outcome {
	case provisioning.OutcomeCreated:
		return fmt.Sprintf("%s would join %s as %s, %s.", who, orgName, role, seat)
	case provisioning.OutcomeResurfaced:
		return fmt.Sprintf("%s was removed from %s and would come back as %s, %s.", who, orgName, role, seat)
	case provisioning.OutcomeReactivated:
		return fmt.Sprintf("%s would be reactivated in %s as %s, %s.", who, orgName, role, seat)
	}
	return fmt.Sprintf("%s is a member of %s and would sign in as %s, %s.", who, orgName, role, seat)
}

// saveTest stores the result with the flow, using the flow up, and audits the test, all in one
// transaction; the admin who started it must still be an owner or admin of the org. A test that
// passed also records its assertion id, so the assertion can never be used again.
func (s *Service) saveTest(ctx context.Context, a arrival, res TestResult, passed bool) error {
	raw, err := json.Marshal(res)
	if err != nil {
		return provisioning.Internal(err)
	}
	return s.svc.SSODoor().Update(ctx, func(tx provisioning.SSOTxn) error {
		u, err := tx.GetUser(ctx, a.flow.TestBy)
		if err != nil {
			return err
		}
		actor, err := s.svc.Authorize(ctx, tx, provisioning.UserActor(u), a.conn.OrgID, provisioning.RoleAdmin, testWhat)
		if err != nil {
			return err
		}
		now := s.svc.Now()
		_, err = tx.FinishSSOTest(ctx, a.flowHash, now, raw, now.Add(testResultTTL))
		if provisioning.IsCode(err, provisioning.CodeNotFound) {
			return provisioning.Errorf(provisioning.CodeGone, "This test sign-in was already completed or has expired. Run the test again.")
		}
		if err != nil {
			return err
		}
		if passed {
			if err := recordAssertion(ctx, tx, a); err != nil {
				return err
			}
		}
		return s.svc.Record(ctx, tx, provisioning.Change{Actor: actor, OrgID: a.conn.OrgID, Entrance: a.conn.entrance(),
			Action: "sso.sign_in_tested", TargetType: "sso_connection", TargetID: a.conn.ID, Reason: truncateReason(testReason(a, res))})
	})
}

// testReason is the audit log's line for a test.
func testReason(a arrival, res TestResult) string {
	who := res.Email
	if who == "" {
		who = "someone without an email"
	}
	if res.Refusal != "" {
		return "test sign-in through " + a.conn.Name + " as " + who + ": refused at " + res.Step + ": " + res.Refusal
	}
	return "test sign-in through " + a.conn.Name + " as " + who + " passed (nothing provisioned): " + res.Outcome
}

// list is the attributes for a test's result: by name, bounded.
func (a attributes) list() []TestAttribute {
	out := []TestAttribute{}
	for name, values := range a {
		v := values[:min(len(values), maxTestValues)]
		kept := make([]string, 0, len(v))
		for _, s := range v {
			kept = append(kept, truncateTo(s, maxTestValue))
		}
		out = append(out, TestAttribute{Name: truncateTo(name, maxTestValue), Values: kept})
	}
	slices.SortFunc(out, func(x, y TestAttribute) int { return cmp.Compare(x.Name, y.Name) })
	return out[:min(len(out), maxTestAttributes)]
}

func truncateTo(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
