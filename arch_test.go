package rollcall_test

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// TestImportDirection keeps the arrows pointing inward: the core (provisioning, seats) imports no
// store, transport or entrance, and entrances import no transport or store.
func TestImportDirection(t *testing.T) {
	out, err := exec.Command("go", "list", "-json", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const mod = "github.com/rollcall/rollcall/"
	forbidden := map[string][]string{
		"provisioning": {"store", "api", "web", "server", "cmd", "scim", "sso", "invites", "domains", "config"},
		"seats":        {"provisioning", "store", "api", "web", "server", "cmd", "scim", "sso", "invites", "domains", "config"},
		"scim":         {"store", "api", "web", "server", "cmd", "sso", "invites", "domains"},
		"sso":          {"store", "api", "web", "server", "cmd", "scim", "invites"},
		"invites":      {"store", "api", "web", "server", "cmd", "scim", "sso", "domains"},
		"domains":      {"store", "api", "web", "server", "cmd", "scim", "sso", "invites"},
		"outbox":       {"store", "api", "web", "server", "cmd", "scim", "sso", "invites", "domains"},
		"httperr":      {"store", "api", "web", "server", "cmd", "scim", "sso", "invites", "domains", "config"},
		"session":      {"store", "api", "web", "server", "cmd", "scim", "sso", "invites", "domains", "config"},
		"webhooks":     {"store", "api", "web", "server", "cmd", "scim", "sso", "invites", "domains"},
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	checked := 0
	for dec.More() {
		var p struct {
			ImportPath string
			Deps       []string
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		rel := strings.TrimPrefix(p.ImportPath, mod)
		top := strings.Split(rel, "/")[0]
		bans, ok := forbidden[top]
		if !ok {
			continue
		}
		checked++
		for _, dep := range p.Deps {
			if !strings.HasPrefix(dep, mod) {
				continue
			}
			depTop := strings.Split(strings.TrimPrefix(dep, mod), "/")[0]
			for _, ban := range bans {
				if depTop == ban {
					t.Errorf("%s imports %s: the core and entrances must not depend on %s", p.ImportPath, dep, ban)
				}
			}
		}
	}
	if checked < 2 {
		t.Fatalf("checked only %d packages", checked)
	}
}
