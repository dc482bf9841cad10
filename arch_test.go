package rollcall_test

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

const mod = "github.com/rollcall/rollcall/"

// pkg is one package of the module as go list describes it: its direct imports and every
// package it depends on.
type pkg struct {
	ImportPath string
	Imports    []string
	Deps       []string
}

func listPackages(t *testing.T) []pkg {
	t.Helper()
	out, err := exec.Command("go", "list", "-json", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var list []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		list = append(list, p)
	}
	return list
}

// under reports whether rel (a path inside the module) is tree or a package below it.
func under(rel, tree string) bool { return rel == tree || strings.HasPrefix(rel, tree+"/") }

// TestImportDirection keeps the arrows pointing inward: the core (provisioning, seats) imports no
// store, transport or entrance, and entrances import no transport or store. The one exception:
// entrances render their pages with the shared page stack, web/page, but never import web.
func TestImportDirection(t *testing.T) {
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
	// allowed are the packages under a forbidden tree that a package may import all the same.
	allowed := map[string][]string{
		"scim": {"web/page"}, "sso": {"web/page"}, "invites": {"web/page"}, "domains": {"web/page"},
	}
	checked := 0
	for _, p := range listPackages(t) {
		top := strings.Split(strings.TrimPrefix(p.ImportPath, mod), "/")[0]
		bans, ok := forbidden[top]
		if !ok {
			continue
		}
		checked++
		for _, dep := range p.Deps {
			rel, ok := strings.CutPrefix(dep, mod)
			if !ok || allowedDep(rel, allowed[top]) {
				continue
			}
			for _, ban := range bans {
				if under(rel, ban) {
					t.Errorf("%s imports %s: the core and entrances must not depend on %s", p.ImportPath, dep, ban)
				}
			}
		}
	}
	if checked < 2 {
		t.Fatalf("checked only %d packages", checked)
	}
}

func allowedDep(rel string, allowed []string) bool {
	for _, a := range allowed {
		if under(rel, a) {
			return true
		}
	}
	return false
}

// TestPageImports keeps web/page importable by every entrance: it imports only the standard
// library, the core's codes, the status table and the session cookie, and nothing of web.
func TestPageImports(t *testing.T) {
	ok := map[string]bool{mod + "provisioning": true, mod + "httperr": true, mod + "session": true}
	found := false
	for _, p := range listPackages(t) {
		if p.ImportPath != mod+"web/page" {
			continue
		}
		found = true
		for _, imp := range p.Imports {
			stdlib := !strings.Contains(strings.Split(imp, "/")[0], ".")
			if !stdlib && !ok[imp] {
				t.Errorf("web/page imports %s: it may import only provisioning, httperr, session and the standard library", imp)
			}
		}
	}
	if !found {
		t.Fatal("go list did not list web/page")
	}
}
