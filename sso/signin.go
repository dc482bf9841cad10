package sso

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rollcall/rollcall/httperr"
	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/session"
)

// arrival is a verified IdP response: who the IdP says arrives, for which sign-in.
type arrival struct {
	conn connection
	// flowHash is the hash of the flow secret, nil for an IdP-initiated SAML sign-in.
	flowHash []byte
	flow     provisioning.SSOFlow
	// assertionID and assertionExpiry guard SAML replays.
	assertionID     string
	assertionExpiry time.Time
	identity        provisioning.Identity
	// attrs are every attribute (SAML) or claim (OIDC) the IdP sent, and nameIDFormat the SAML
	// NameID's format: a test sign-in shows them.
	attrs        attributes
	nameIDFormat string
}

// outcome is what a finished sign-in hands the browser: a console session or an app code.
type outcome struct {
	session string
	code    string
	result  provisioning.ProvisionResult
}

// finish provisions the person through the pipeline and opens a session or issues an app code,
// all in one transaction with the flow's consumption and the assertion's replay row: either
// everything is written or nothing is.
func (s *Service) finish(ctx context.Context, a arrival) (outcome, error) {
	var out outcome
	err := s.svc.SSODoor().Update(ctx, func(tx provisioning.SSOTxn) error {
		now := s.svc.Now()
		if a.flowHash != nil {
			if _, err := tx.ConsumeSSOFlow(ctx, a.flowHash, now); provisioning.IsCode(err, provisioning.CodeNotFound) {
				return provisioning.Errorf(provisioning.CodeGone, "This sign-in was already completed or has expired. Start the sign-in again.")
			} else if err != nil {
				return err
			}
		}
		if err := recordAssertion(ctx, tx, a); err != nil {
			return err
		}
		res, err := s.provision(ctx, tx, a)
		if err != nil {
			return err
		}
		out.result = res
		if a.flow.RedirectURI != "" {
			out.code, err = s.issueCode(ctx, tx, a, res)
		} else {
			out.session, _, err = s.svc.StartSession(ctx, tx, res.User.ID, a.conn.OrgID)
		}
		if err != nil {
			return err
		}
		return s.svc.Record(ctx, tx, provisioning.Change{
			Actor: a.conn.idpActor(), OrgID: a.conn.OrgID, Entrance: a.conn.entrance(), Action: "sso.signed_in",
			TargetType: "member", TargetID: res.Membership.ID, Reason: signInReason(a, res),
		})
	})
	return out, err
}

// recordAssertion remembers a SAML assertion's id so that it is accepted once, on any instance.
func recordAssertion(ctx context.Context, tx provisioning.SSOTxn, a arrival) error {
	if a.assertionID == "" {
		return nil
	}
	err := tx.RecordSSOAssertion(ctx, a.conn.ID, a.assertionID, a.assertionExpiry)
	if provisioning.IsCode(err, provisioning.CodeConflict) {
		return provisioning.Errorf(provisioning.CodeConflict, "This SAML assertion was already used to sign in. Each assertion is accepted once; start the sign-in again.")
	}
	return err
}

func signInReason(a arrival, res provisioning.ProvisionResult) string {
	to := "the console"
	if a.flow.RedirectURI != "" {
		to = "the app"
	}
	return res.User.Email + " signed in through " + a.conn.Name + " to " + to + " (" + string(res.Outcome) + ")"
}

// provision runs the pipeline for an arrival. The core resolves who it is (subject, then email
// at the org's verified domains, then new) and, with JIT off, lets only active members in.
func (s *Service) provision(ctx context.Context, tx provisioning.SSOTxn, a arrival) (provisioning.ProvisionResult, error) {
	org, err := tx.GetOrg(ctx, a.conn.OrgID)
	if err != nil {
		return provisioning.ProvisionResult{}, err
	}
	role, why := a.conn.cfg.roleFor(a.identity.Groups, org)
	return s.svc.ProvisionTx(ctx, tx, provisioning.ProvisionRequest{
		OrgID: org.ID, Entrance: a.conn.entrance(), Actor: a.conn.idpActor(), Identity: a.identity,
		Role: role, DefaultRole: a.conn.cfg.DefaultRole, ExistingMembersOnly: !a.conn.cfg.JIT,
		Reason: "signed in through SSO connection " + a.conn.Name + "; " + why,
	})
}

// issueCode stores a one-time code for the app and returns it.
func (s *Service) issueCode(ctx context.Context, tx provisioning.SSOTxn, a arrival, res provisioning.ProvisionResult) (string, error) {
	code, hash := provisioning.NewSecret(codePrefix)
	now := s.svc.Now()
	err := tx.InsertSSOCode(ctx, provisioning.SSOCode{
		ID: provisioning.NewID(), OrgID: a.conn.OrgID, ConnectionID: a.conn.ID, UserID: res.User.ID,
		MembershipID: res.Membership.ID, RedirectURI: a.flow.RedirectURI, Groups: a.identity.Groups,
		CreatedAt: now, ExpiresAt: now.Add(s.codeTTL),
	}, hash)
	return code, err
}

// deliver sends the browser on: to the app's redirect URI with the code, or to the console
// with a session cookie.
func (s *Service) deliver(w http.ResponseWriter, r *http.Request, a arrival, out outcome) {
	if out.code != "" {
		u, _ := url.Parse(a.flow.RedirectURI)
		q := u.Query()
		q.Set("code", out.code)
		if a.flow.AppState != "" {
			q.Set("state", a.flow.AppState)
		}
		u.RawQuery = q.Encode()
		noStore(w)
		http.Redirect(w, r, u.String(), http.StatusSeeOther)
		return
	}
	session.Set(w, r, out.session, s.secure)
	noStore(w)
	http.Redirect(w, r, s.console, http.StatusSeeOther)
}

// fail records a failed sign-in in the org's audit log (actor: the connection's IdP; identical
// failures in a window are audited together, see auditedFailure), burns the flow so it cannot
// be tried again, and renders a page saying what went wrong with a reference that the log line
// and the audit row carry too. Nothing of the sign-in itself was written: finish's transaction
// rolled back.
func (s *Service) fail(w http.ResponseWriter, r *http.Request, conn *connection, flowHash []byte, step string, err error) {
	ctx := r.Context()
	ref := refOf(r)
	msg := provisioning.ErrorMessage(err)
	switch provisioning.ErrorCode(err) {
	case provisioning.CodeInternal, provisioning.CodeUnavailable:
		httperr.LogFailure(ctx, s.logger, "sso sign-in failed", err, "step", step, "ref", ref)
		httperr.SetRetryAfter(w.Header(), provisioning.ErrorCode(err))
	default:
		s.logger.InfoContext(ctx, "sso sign-in refused", "step", step, "ref", ref, "reason", msg, "detail", detailOf(err))
	}
	if conn != nil {
		ctx := context.WithoutCancel(ctx)
		rerr := s.svc.SSODoor().Update(ctx, func(tx provisioning.SSOTxn) error {
			if flowHash != nil {
				if _, err := tx.ConsumeSSOFlow(ctx, flowHash, s.svc.Now()); err != nil && !provisioning.IsCode(err, provisioning.CodeNotFound) {
					return err
				}
			}
			n, audit, aerr := s.auditedFailure(ctx, tx, conn, step, msg)
			if aerr != nil || !audit {
				return aerr
			}
			reason := step + ": " + msg
			if detail := detailOf(err); detail != "" {
				reason += " (" + detail + ")"
			}
			reason += " [ref " + ref + "]"
			if n > 1 {
				reason += fmt.Sprintf(" [%d such failures in %s]", n, s.failureWindow)
			}
			return s.svc.Record(ctx, tx, provisioning.Change{
				Actor: conn.idpActor(), OrgID: conn.OrgID, Entrance: conn.entrance(), Action: "sso.sign_in_failed",
				TargetType: "sso_connection", TargetID: conn.ID, Reason: truncateReason(reason),
			})
		})
		if rerr != nil {
			s.logger.ErrorContext(ctx, "sso: recording a failed sign-in failed", "ref", ref, "err", rerr)
		}
	}
	var retry string
	if conn != nil {
		retry = MountPath + "/start?connection=" + url.QueryEscape(conn.ID)
	}
	s.page(w, provisioning.ErrorCode(err), "Sign-in failed", msg, retry, ref)
}

// detailOf is the log-only detail a check attached to its error, for the audit reason.
func detailOf(err error) string {
	var d *checkError
	if errors.As(err, &d) {
		return d.detail
	}
	return ""
}

func truncateReason(s string) string {
	s = strings.ToValidUTF8(s, "")
	if len(s) > 1000 {
		return s[:1000]
	}
	return s
}
