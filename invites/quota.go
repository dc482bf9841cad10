package invites

import (
	"context"
	"time"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/seats"
)

// Quota limits how many invitations an org may issue: Lifetime in total, or Daily per UTC day
// (resetting at midnight UTC). Both zero means no limit; Lifetime wins when both are set.
type Quota struct {
	Lifetime int `json:"lifetime,omitempty"`
	Daily    int `json:"daily,omitempty"`
}

// DefaultQuotas are the invitation quotas per plan unless Options.Quotas overrides them:
// trial 100 in total; free 20, starter 100, pro 500 and business 2,000 per day; enterprise none.
// A plan missing from the table has no limit.
var DefaultQuotas = map[seats.Plan]Quota{
	seats.PlanFree:       {Daily: 20},
	seats.PlanTrial:      {Lifetime: 100},
	seats.PlanStarter:    {Daily: 100},
	seats.PlanPro:        {Daily: 500},
	seats.PlanBusiness:   {Daily: 2000},
	seats.PlanEnterprise: {},
}

// Quota periods.
const (
	PeriodLifetime = "lifetime"
	PeriodDaily    = "daily"
	PeriodNone     = "none"
)

// QuotaStatus is an org's invitation quota at one moment.
type QuotaStatus struct {
	Plan   seats.Plan `json:"plan"`
	Period string     `json:"period"`
	Limit  int        `json:"limit"`
	Used   int        `json:"used"`
	// Remaining is -1 when there is no limit.
	Remaining int        `json:"remaining"`
	ResetsAt  *time.Time `json:"resetsAt,omitempty"`
}

// allows reports whether n more invitations fit.
func (q QuotaStatus) allows(n int) bool { return q.Remaining < 0 || n <= q.Remaining }

func (q *QuotaStatus) take(n int) {
	q.Used += n
	if q.Remaining >= 0 {
		q.Remaining = max(0, q.Remaining-n)
	}
}

func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// quota reads an org's quota status inside tx.
func (s *Service) quota(ctx context.Context, tx provisioning.InviteTxn, org provisioning.Org) (QuotaStatus, error) {
	q := s.quotas[org.Plan]
	st := QuotaStatus{Plan: org.Plan, Period: PeriodNone, Remaining: -1}
	now := s.svc.Now()
	since := ""
	switch {
	case q.Lifetime > 0:
		st.Period, st.Limit = PeriodLifetime, q.Lifetime
	case q.Daily > 0:
		st.Period, st.Limit, since = PeriodDaily, q.Daily, day(now)
		reset := now.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
		st.ResetsAt = &reset
	}
	used, err := tx.CountInviteSends(ctx, org.ID, since)
	if err != nil {
		return st, err
	}
	st.Used = used
	if st.Limit > 0 {
		st.Remaining = max(0, st.Limit-used)
	}
	return st, nil
}

func quotaError(q QuotaStatus) error {
	if q.Period == PeriodDaily {
		return provisioning.Errorf(provisioning.CodeQuotaExceeded, "the %s plan allows %d invitations a day and today's are used up; the quota resets at midnight UTC", q.Plan, q.Limit)
	}
	return provisioning.Errorf(provisioning.CodeQuotaExceeded, "the %s plan allows %d invitations in total and they are used up; upgrade the plan to invite more", q.Plan, q.Limit)
}

// Quota returns an org's invitation quota (owners, admins).
func (s *Service) Quota(ctx context.Context, actor provisioning.Actor, orgID string) (QuotaStatus, error) {
	var st QuotaStatus
	err := s.svc.InviteDoor().View(ctx, func(tx provisioning.InviteTxn) error {
		if _, err := s.svc.Authorize(ctx, tx, actor, orgID, provisioning.RoleAdmin, "see invitations"); err != nil {
			return err
		}
		org, err := tx.GetOrg(ctx, orgID)
		if err != nil {
			return err
		}
		st, err = s.quota(ctx, tx, org)
		return err
	})
	return st, err
}
