package api_test

import (
	"testing"

	"github.com/rollcall/rollcall/provisioning"
)

// TestSettingsChangeOnlyWhatIsSent checks the partial update: a field left out keeps its value
// under PATCH and PUT alike, a wrong value names its field and changes nothing, and a change
// carrying no field is refused.
func TestSettingsChangeOnlyWhatIsSent(t *testing.T) {
	e := newEnv(t)
	f := e.fixture(20)
	owner := f.tokens["owner"]
	path := "/orgs/" + f.slug + "/settings"
	settings := func() map[string]any {
		res := e.do(owner, "GET", path, nil)
		if res.Status != 200 {
			t.Fatalf("get settings: %d %s", res.Status, res.Raw)
		}
		return res.Body["settings"].(map[string]any)
	}
	before := settings()
	if before["autoAssignSeats"] != true || before["reserveSeatsForInvites"] != true || before["inviteExpiryHours"] != float64(168) {
		t.Fatalf("unexpected defaults: %v", before)
	}
	for _, method := range []string{"PATCH", "PUT"} {
		res := e.do(owner, method, path, map[string]any{"tokenRateLimitPerMinute": 30})
		if res.Status != 200 {
			t.Fatalf("%s: %d %s", method, res.Status, res.Raw)
		}
		after := settings()
		for k, v := range before {
			if k != "tokenRateLimitPerMinute" && after[k] != v {
				t.Fatalf("%s of one field changed %s: %v -> %v", method, k, v, after[k])
			}
		}
		if after["tokenRateLimitPerMinute"] != float64(30) {
			t.Fatalf("%s did not change the field sent: %v", method, after)
		}
	}
	res := e.do(owner, "PATCH", path, map[string]any{"autoAssignSeats": false, "inviteExpiryHours": -1})
	if res.Status != 400 || res.errCode() != "invalid" || res.Body["error"].(map[string]any)["field"] != "inviteExpiryHours" {
		t.Fatalf("bad value: %d %s", res.Status, res.Raw)
	}
	if settings()["autoAssignSeats"] != true {
		t.Fatal("a refused change wrote one of its fields")
	}
	if res := e.do(owner, "PATCH", path, map[string]any{}); res.Status != 400 || res.errCode() != "invalid" {
		t.Fatalf("empty change: %d %s", res.Status, res.Raw)
	}
	if res := e.do(f.tokens["member"], "PATCH", path, map[string]any{"autoAssignSeats": false}); res.Status != 403 {
		t.Fatalf("member changed settings: %d %s", res.Status, res.Raw)
	}
}

// TestOrgShowsSettingsByTheSettingsRule: GET /orgs/{org} shows the settings to whoever may read
// /settings (owners, admins, the operator) and leaves them out for members and viewers.
func TestOrgShowsSettingsByTheSettingsRule(t *testing.T) {
	e := newEnv(t)
	f := e.fixture(20)
	for who, visible := range map[provisioning.Role]bool{"owner": true, "admin": true, "member": false, "viewer": false} {
		org := e.do(f.tokens[who], "GET", "/orgs/"+f.slug, nil)
		settings := e.do(f.tokens[who], "GET", "/orgs/"+f.slug+"/settings", nil)
		_, shown := org.Body["org"].(map[string]any)["settings"]
		if org.Status != 200 || shown != visible || (settings.Status == 200) != visible {
			t.Errorf("%s: org %d with settings %v, /settings %d; want settings visible %v in both", who, org.Status, shown, settings.Status, visible)
		}
	}
	if org := e.do(e.op, "GET", "/orgs/"+f.slug, nil); org.Body["org"].(map[string]any)["settings"] == nil {
		t.Errorf("the operator does not see the settings: %s", org.Raw)
	}
}
