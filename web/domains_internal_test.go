package web

import (
	"strings"
	"testing"

	"github.com/rollcall/rollcall/domains"
	"github.com/rollcall/rollcall/provisioning"
)

// TestCheckWords: each outcome of Verify now reads as what DNS answered, and a failed lookup
// says the state did not change.
func TestCheckWords(t *testing.T) {
	d := func(o domains.Outcome, s provisioning.DomainState, reason string) domains.Info {
		return domains.Info{Domain: provisioning.Domain{State: s, Reason: reason}, DisplayName: "acme.com", Outcome: o}
	}
	for _, c := range []struct {
		in   domains.Info
		want string
	}{
		{d(domains.OutcomeFound, provisioning.DomainVerified, ""), "Record found: acme.com is verified."},
		{d(domains.OutcomeFound, provisioning.DomainUnverified, "another org has already verified this domain"), "Record found, but acme.com is not verified: another org"},
		{d(domains.OutcomeMissing, provisioning.DomainUnverified, "no TXT record found"), "Record missing: no TXT record found. DNS changes can take a while"},
		{d(domains.OutcomeWrongValue, provisioning.DomainUnverified, "a different token"), "Wrong value: a different token."},
		{d(domains.OutcomeTimeout, provisioning.DomainVerified, "no answer before the timeout"), "DNS timeout: no answer before the timeout. acme.com stays verified."},
		{d(domains.OutcomeFailed, provisioning.DomainLost, "SERVFAIL"), "DNS lookup failed: SERVFAIL. acme.com stays lost."},
	} {
		if got := checkWords(c.in); !strings.HasPrefix(got, c.want) {
			t.Errorf("%s: %q, want %q", c.in.Outcome, got, c.want)
		}
	}
}
