package sso

import (
	"time"

	"github.com/jonboulle/clockwork"
	dsig "github.com/russellhaering/goxmldsig"
)

// serviceClock is Rollcall's clock (the provisioning service's Now) as crewjam and goxmldsig
// want it, so assertion times, request timestamps and certificate validity are all judged on
// the same, injectable clock. Only Now is read by them; the rest is the real clock's.
type serviceClock struct {
	clockwork.Clock
	now func() time.Time
}

func (c serviceClock) Now() time.Time { return c.now() }

func newSAMLClock(now func() time.Time) *dsig.Clock {
	return dsig.NewFakeClock(serviceClock{Clock: clockwork.NewRealClock(), now: now})
}
