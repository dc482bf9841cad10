package scim

import (
	"encoding/json"
	"testing"
)

// FuzzPatchCompat: any body, however broken, leaves patchCompat without a panic; a rewritten
// body is JSON with the same operations, and is never reported empty.
func FuzzPatchCompat(f *testing.F) {
	const ext = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	for _, seed := range []string{
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[]}`,
		`{"Operations":[{"op":"Add","path":"` + ext + `:manager","value":"boss"}]}`,
		`{"Operations":[{"op":"Replace","value":{"` + ext + `:manager":"boss","active":"True"}}]}`,
		`{"Operations":[{"op":"replace","value":{"` + ext + `":{"manager":"boss"}}}]}`,
		`{"Operations":[{"op":"add","path":"members","value":[{"value":"a"},{"value":"b"}]}]}`,
		`{"operations":null}`, `[]`, `{"Operations":[1]}`, `{"Operations":[{"path":1,"value":"x"}]}`, `"`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		fixed, empty := patchCompat(raw)
		if fixed == nil {
			return
		}
		var before, after struct{ Operations []any }
		if empty || json.Unmarshal(raw, &before) != nil || json.Unmarshal(fixed, &after) != nil || len(before.Operations) != len(after.Operations) {
			t.Fatalf("%s became %s (empty %v)", raw, fixed, empty)
		}
	})
}
