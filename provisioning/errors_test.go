package provisioning

import (
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"testing"
)

// TestCodesListsEveryCode reads errors.go: every Code constant declared there is in Codes(),
// so transports checking their tables against Codes() see a new code at once.
func TestCodesListsEveryCode(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "errors.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	declared := 0
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			v := spec.(*ast.ValueSpec)
			if id, ok := v.Type.(*ast.Ident); !ok || id.Name != "Code" {
				continue
			}
			for i, name := range v.Names {
				declared++
				lit := v.Values[i].(*ast.BasicLit)
				if !slices.Contains(Codes(), Code(lit.Value[1:len(lit.Value)-1])) {
					t.Errorf("%s is not in Codes()", name.Name)
				}
			}
		}
	}
	if declared != len(Codes()) {
		t.Fatalf("%d codes declared, %d listed", declared, len(Codes()))
	}
}
