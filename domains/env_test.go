package domains_test

import (
	"strings"
	"testing"
	"time"

	"github.com/rollcall/rollcall/domains"
	"github.com/rollcall/rollcall/domains/dnstest"
	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/store/storetest"
)

// env is a domains service over a real store, verifying against a real DNS server on loopback.
type env struct {
	t     *testing.T
	h     *storetest.Harness
	dns   *dnstest.Server
	svc   *domains.Service
	acme  provisioning.OrgWithOwner
	owner provisioning.Actor
}

// eachBackend runs fn on SQLite and on Postgres.
func eachBackend(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			h := storetest.NewHarness(t, b.Open(t))
			e := &env{t: t, h: h, dns: dnstest.Start(t)}
			e.svc = e.service(domains.Options{ResolverAddr: e.dns.Addr})
			e.acme = h.CreateOrg("acme", 10, "owner@acme.com")
			e.owner = h.MemberActor(e.acme.Owner.Membership)
			fn(t, e)
		})
	}
}

func (e *env) service(o domains.Options) *domains.Service {
	e.t.Helper()
	if o.LookupTimeout == 0 {
		o.LookupTimeout = 2 * time.Second
	}
	svc, err := domains.New(e.h.Service, o)
	if err != nil {
		e.t.Fatal(err)
	}
	return svc
}

func (e *env) add(actor provisioning.Actor, orgID, name string, autoJoin bool) domains.Info {
	e.t.Helper()
	d, err := e.svc.Add(e.h.Ctx, actor, orgID, domains.AddInput{Name: name, AutoJoin: autoJoin})
	if err != nil {
		e.t.Fatalf("add %s: %v", name, err)
	}
	return d
}

func (e *env) publish(d domains.Info) { e.dns.SetTXT(d.Record.Name, "v=spf1 -all", d.Record.Value) }

func (e *env) verify(actor provisioning.Actor, orgID, name string) domains.Info {
	e.t.Helper()
	d, err := e.svc.Verify(e.h.Ctx, actor, orgID, name)
	if err != nil {
		e.t.Fatalf("verify %s: %v", name, err)
	}
	return d
}

// verified adds, publishes and verifies a domain for acme.
func (e *env) verified(name string, autoJoin bool) domains.Info {
	e.t.Helper()
	d := e.add(e.owner, e.acme.Org.ID, name, autoJoin)
	e.publish(d)
	if d = e.verify(e.owner, e.acme.Org.ID, name); d.State != provisioning.DomainVerified {
		e.t.Fatalf("%s not verified: %s", name, d.Reason)
	}
	return d
}

func wantState(t *testing.T, d domains.Info, state provisioning.DomainState, reason string) domains.Info {
	t.Helper()
	if d.State != state || !strings.Contains(d.Reason, reason) {
		t.Fatalf("%s: state %s reason %q; want %s with %q", d.Name, d.State, d.Reason, state, reason)
	}
	return d
}

// wantOutcome fails unless the check that gave d found outcome.
func wantOutcome(t *testing.T, d domains.Info, outcome domains.Outcome) {
	t.Helper()
	if d.Outcome != outcome {
		t.Fatalf("%s: the check found %q; want %q (reason %q)", d.Name, d.Outcome, outcome, d.Reason)
	}
}

// actions lists the audit actions of an org about a target, newest first.
func (e *env) actions(orgID, targetID string) []string {
	e.t.Helper()
	ev, err := e.h.Service.ListAudit(e.h.Ctx, provisioning.Operator(), provisioning.AuditQuery{OrgID: orgID, TargetID: targetID})
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, a := range ev {
		out = append(out, a.Action)
	}
	return out
}
