package rollcall_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// ownDoor is the one door each package may open; packages not listed open none.
var ownDoor = map[string]string{
	"scim":    "DirectoryDoor",
	"sso":     "SSODoor",
	"invites": "InviteDoor",
	"domains": "DomainDoor",
	"outbox":  "OutboxDoor",
}

// coreOnly are the provisioning names that hand out the people tables or a whole store
// transaction: only the core and the stores may name them.
var coreOnly = map[string]bool{"Store": true, "StoreTx": true, "Tx": true, "Wrap": true}

// TestEntrancesHoldOnlyTheirOwnTables proves by the type system that entrances never reach the
// core's people methods except through its operations: outside provisioning and store, no
// non-test file names provisioning.Store, StoreTx, Tx or Wrap, and each package opens only its
// own door (whose transaction type embeds only its own tables and reads of people).
func TestEntrancesHoldOnlyTheirOwnTables(t *testing.T) {
	fset := token.NewFileSet()
	checked := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		top := strings.Split(filepath.ToSlash(path), "/")[0]
		if d.IsDir() {
			if top == "provisioning" || top == "store" || strings.HasPrefix(d.Name(), ".") && path != "." {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || !strings.Contains(path, "/") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		checked++
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if x, ok := sel.X.(*ast.Ident); ok && x.Name == "provisioning" && coreOnly[sel.Sel.Name] {
				t.Errorf("%s: names provisioning.%s; entrances and transports go through a door and the core's operations", fset.Position(sel.Pos()), sel.Sel.Name)
			}
			if name := sel.Sel.Name; strings.HasSuffix(name, "Door") && name != ownDoor[top] && isDoor(name) {
				t.Errorf("%s: %s opens %s; it may open only its own door (%q)", fset.Position(sel.Pos()), top, name, ownDoor[top])
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Fatalf("checked only %d files", checked)
	}
}

func isDoor(name string) bool {
	for _, d := range ownDoor {
		if d == name {
			return true
		}
	}
	return false
}
