package domains

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/rollcall/rollcall/provisioning"
)

// RecordPrefix starts the value of every verification record; the random token follows.
const RecordPrefix = "rollcall-verification="

// Record is the DNS record an org publishes to prove it controls a domain.
type Record struct {
	Type  string `json:"type"`
	Name  string `json:"name"`
	Value string `json:"value"`
}

// RecordFor returns the TXT record that verifies d: _rollcall.<domain> holding
// rollcall-verification=<token>.
func RecordFor(d provisioning.Domain) Record {
	return Record{Type: "TXT", Name: "_rollcall." + d.Name, Value: RecordPrefix + d.Token}
}

// Outcome is what one DNS check found, as a word an admin's page can put in a sentence.
type Outcome string

// Outcomes of a check. Missing, wrong value and found are answers; timeout and failed are
// lookups that got none and say nothing about the record.
const (
	// OutcomeFound: the record with the domain's token is published.
	OutcomeFound Outcome = "found"
	// OutcomeMissing: the name does not exist, holds no TXT record, or none of its TXT
	// records is a rollcall-verification record.
	OutcomeMissing Outcome = "missing"
	// OutcomeWrongValue: a rollcall-verification record is published with another token.
	OutcomeWrongValue Outcome = "wrong_value"
	// OutcomeTimeout: the DNS server did not answer before the lookup timeout.
	OutcomeTimeout Outcome = "timeout"
	// OutcomeFailed: the DNS server refused or failed to answer, or could not be reached.
	OutcomeFailed Outcome = "failed"
)

// result is the outcome of one DNS check.
type result struct {
	// found: the record with the domain's token is published.
	found bool
	// definitive: DNS answered, and the answer lacks the record. A failed lookup is neither
	// found nor definitive, and never costs a verified domain its state.
	definitive bool
	outcome    Outcome
	reason     string
}

// check looks up the verification record of d through the resolver, bounded by the timeout.
func (s *Service) check(ctx context.Context, d provisioning.Domain) result {
	rec := RecordFor(d)
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	values, err := s.resolver.LookupTXT(ctx, rec.Name)
	switch {
	case errors.Is(err, ErrNXDomain):
		return result{definitive: true, outcome: OutcomeMissing, reason: fmt.Sprintf("%s does not exist in DNS (NXDOMAIN): publish the TXT record %s", rec.Name, rec.Value)}
	case errors.Is(err, ErrNoRecords):
		return result{definitive: true, outcome: OutcomeMissing, reason: fmt.Sprintf("no TXT record found at %s: publish %s", rec.Name, rec.Value)}
	case err != nil:
		s.logger.WarnContext(ctx, "domain verification lookup failed", "domain", d.Name, "err", err)
		return result{outcome: lookupOutcome(err), reason: "the DNS lookup of " + rec.Name + " failed: " + describeLookupError(err)}
	}
	ours := false
	for _, v := range values {
		v = strings.TrimSpace(v)
		if v == rec.Value {
			return result{found: true, outcome: OutcomeFound}
		}
		ours = ours || strings.HasPrefix(v, RecordPrefix)
	}
	if ours {
		return result{definitive: true, outcome: OutcomeWrongValue, reason: fmt.Sprintf("the rollcall-verification record at %s has a different token: publish %s", rec.Name, rec.Value)}
	}
	return result{definitive: true, outcome: OutcomeMissing, reason: fmt.Sprintf("no rollcall-verification record among the TXT records at %s: publish %s", rec.Name, rec.Value)}
}

// timedOut reports whether a failed lookup ran out of time.
func timedOut(err error) bool {
	var netErr net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &netErr) && netErr.Timeout()
}

// lookupOutcome is the outcome of a lookup that failed: a timeout, or another failure.
func lookupOutcome(err error) Outcome {
	if timedOut(err) {
		return OutcomeTimeout
	}
	return OutcomeFailed
}

// describeLookupError says what went wrong without internal addresses.
func describeLookupError(err error) string {
	var rc *rcodeError
	switch {
	case timedOut(err):
		return "no answer before the timeout; try again later"
	case errors.As(err, &rc):
		return rc.Error() + "; try again later"
	}
	return "the DNS server could not be reached; try again later"
}
