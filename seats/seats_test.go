package seats

import "testing"

func TestDecide(t *testing.T) {
	full := Usage{Used: 5, Limit: 5}
	room := Usage{Used: 4, Limit: 5}
	unlimited := Usage{Used: 1000, Limit: Unlimited}
	cases := []struct {
		name   string
		usage  Usage
		join   Join
		want   Decision
		reason Reason
	}{
		{"automatic with room", room, Join{Automatic: true, AutoAssign: true}, Grant, ReasonNone},
		{"automatic when full", full, Join{Automatic: true, AutoAssign: true}, Viewer, ReasonNoFreeSeat},
		{"automatic with auto-assign off", room, Join{Automatic: true}, Viewer, ReasonAutoAssignOff},
		{"explicit with room", room, Join{}, Grant, ReasonNone},
		{"explicit when full", full, Join{}, Refuse, ReasonNoFreeSeat},
		{"explicit ignores auto-assign", room, Join{AutoAssign: false}, Grant, ReasonNone},
		{"invitation when full degrades", full, Join{DegradeWhenFull: true}, Viewer, ReasonNoFreeSeat},
		{"unlimited", unlimited, Join{}, Grant, ReasonNone},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, reason := Decide(c.usage, c.join)
			if got != c.want || reason != c.reason {
				t.Fatalf("Decide = %v %q, want %v %q", got, reason, c.want, c.reason)
			}
		})
	}
}

func TestPlanDefaults(t *testing.T) {
	want := map[Plan]Limit{PlanFree: 1, PlanStarter: 5, PlanPro: 20, PlanBusiness: 100, PlanEnterprise: Unlimited}
	for p, l := range want {
		if got := DefaultLimit(p); got != l {
			t.Errorf("DefaultLimit(%s) = %v, want %v", p, got, l)
		}
	}
	if _, ok := ParsePlan("PRO "); !ok {
		t.Error("ParsePlan should accept any case")
	}
	if _, ok := ParsePlan("platinum"); ok {
		t.Error("ParsePlan accepted an unknown plan")
	}
}

func TestUsage(t *testing.T) {
	u := Usage{Used: 12, Limit: 25}
	if u.String() != "12 / 25" || u.Free() != 13 {
		t.Fatalf("got %s free %d", u, u.Free())
	}
	if got := (Usage{Used: 3, Limit: Unlimited}).String(); got != "3 / unlimited" {
		t.Fatalf("got %s", got)
	}
	if got := Promotable(Usage{Used: 8, Limit: 10}, 5); got != 2 {
		t.Fatalf("Promotable = %d, want 2", got)
	}
	if got := Promotable(Usage{Used: 12, Limit: 10}, 5); got != 0 {
		t.Fatalf("Promotable over limit = %d, want 0", got)
	}
}
