package main

import (
	"testing"

	"github.com/rollcall/rollcall/config"
	"github.com/rollcall/rollcall/invites"
)

// TestDefaultInviteQuotasMatchTheInvitesPackage keeps the documented --invite-quotas default
// equal to the quotas the invitations service applies when none are configured.
func TestDefaultInviteQuotasMatchTheInvitesPackage(t *testing.T) {
	cfg, err := config.Load(nil, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.InviteQuotas) != len(invites.DefaultQuotas) {
		t.Fatalf("config has %d plans, invites %d", len(cfg.InviteQuotas), len(invites.DefaultQuotas))
	}
	for plan, q := range cfg.InviteQuotas {
		want, ok := invites.DefaultQuotas[plan]
		if !ok || want.Lifetime != q.Lifetime || want.Daily != q.Daily {
			t.Errorf("plan %s: config %+v, invites %+v", plan, q, want)
		}
	}
}
