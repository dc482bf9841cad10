// Package seats holds the seat policy of Rollcall: plan defaults, seat usage and the decision
// whether a join or promotion gets a paid seat. It is pure policy; the provisioning core applies it
// inside the same transaction as the membership write.
package seats

import (
	"fmt"
	"strings"
)

// Unlimited is the Limit of an org without a seat cap.
const Unlimited Limit = -1

// Limit is an org's seat cap: a non-negative number, or Unlimited.
type Limit int

// IsUnlimited reports whether the limit caps nothing.
func (l Limit) IsUnlimited() bool { return l < 0 }

// String renders the limit as a number or "unlimited".
func (l Limit) String() string {
	if l.IsUnlimited() {
		return "unlimited"
	}
	return fmt.Sprint(int(l))
}

// Plan names a commercial plan. Plans give seat-limit defaults and invitation quotas.
type Plan string

// The plans Rollcall knows.
const (
	PlanFree       Plan = "free"
	PlanTrial      Plan = "trial"
	PlanStarter    Plan = "starter"
	PlanPro        Plan = "pro"
	PlanBusiness   Plan = "business"
	PlanEnterprise Plan = "enterprise"
)

var planDefaults = map[Plan]Limit{
	PlanFree:       1,
	PlanTrial:      5,
	PlanStarter:    5,
	PlanPro:        20,
	PlanBusiness:   100,
	PlanEnterprise: Unlimited,
}

// ParsePlan accepts a plan name in any case.
func ParsePlan(s string) (Plan, bool) {
	p := Plan(strings.ToLower(strings.TrimSpace(s)))
	_, ok := planDefaults[p]
	return p, ok
}

// PlanNames lists the known plans, cheapest first.
func PlanNames() []string {
	return []string{"free", "trial", "starter", "pro", "business", "enterprise"}
}

// DefaultLimit is the seat limit a plan gives when the operator sets none.
func DefaultLimit(p Plan) Limit {
	if l, ok := planDefaults[p]; ok {
		return l
	}
	return planDefaults[PlanFree]
}

// Usage is an org's seat accounting at one moment: seats used against the limit.
type Usage struct {
	Used  int   `json:"used"`
	Limit Limit `json:"limit"`
}

// Free is the number of seats still available; for an unlimited org it is -1.
func (u Usage) Free() int {
	if u.Limit.IsUnlimited() {
		return -1
	}
	if f := int(u.Limit) - u.Used; f > 0 {
		return f
	}
	return 0
}

// Over is how many seats are held beyond the limit (after the operator forced a limit below the
// seats in use); 0 when within it. While over, nobody gains a seat.
func (u Usage) Over() int {
	if u.Limit.IsUnlimited() || u.Used <= int(u.Limit) {
		return 0
	}
	return u.Used - int(u.Limit)
}

// HasFree reports whether n more seats fit under the limit.
func (u Usage) HasFree(n int) bool {
	return u.Limit.IsUnlimited() || u.Used+n <= int(u.Limit)
}

// String renders usage the way the product shows it: "12 / 25", or "10 / 5 (5 over the limit)".
func (u Usage) String() string {
	if over := u.Over(); over > 0 {
		return fmt.Sprintf("%d / %s (%d over the limit)", u.Used, u.Limit, over)
	}
	return fmt.Sprintf("%d / %s", u.Used, u.Limit)
}

// Decision is the outcome of asking for a seat.
type Decision int

// Seat decisions.
const (
	// Grant: the seat role is kept and a seat is taken.
	Grant Decision = iota
	// Viewer: the member comes in without a seat, as a viewer.
	Viewer
	// Refuse: the action fails with seat_limit_reached.
	Refuse
)

// Join describes a request for a seat.
type Join struct {
	// Automatic is true for joins nobody clicked for (SCIM, SSO JIT, domain, invite link).
	Automatic bool
	// DegradeWhenFull lets a non-automatic join (an accepted invitation) come in as viewer.
	DegradeWhenFull bool
	// AutoAssign is the org's auto_assign_seats setting.
	AutoAssign bool
}

// Reason explains a Viewer or Refuse decision in words fit for the audit log.
type Reason string

// Reasons for not granting a seat.
const (
	ReasonNone          Reason = ""
	ReasonNoFreeSeat    Reason = "no free seat"
	ReasonAutoAssignOff Reason = "auto-assign seats is off"
)

// Decide says whether a join that wants a seat role gets one, given current usage.
func Decide(u Usage, j Join) (Decision, Reason) {
	if j.Automatic && !j.AutoAssign {
		return Viewer, ReasonAutoAssignOff
	}
	if u.HasFree(1) {
		return Grant, ReasonNone
	}
	if j.Automatic || j.DegradeWhenFull {
		return Viewer, ReasonNoFreeSeat
	}
	return Refuse, ReasonNoFreeSeat
}

// Promotable is how many of waiting viewers "assign seats to viewers" can promote now.
func Promotable(u Usage, waiting int) int {
	if u.Limit.IsUnlimited() {
		return waiting
	}
	return min(waiting, u.Free())
}
