package api

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

type schemaInner struct {
	Shared string `json:"shared"`
	Deep   int    `json:"deep"`
}

type schemaSample struct {
	schemaInner
	Shared  bool                  `json:"shared"`
	Role    provisioning.Role     `json:"role"`
	At      time.Time             `json:"at"`
	Maybe   *time.Time            `json:"maybe,omitempty"`
	Ptr     *schemaInner          `json:"ptr"`
	Tags    []string              `json:"tags"`
	Counts  map[string]int        `json:"counts,omitempty"`
	Raw     json.RawMessage       `json:"raw,omitempty"`
	Bytes   []byte                `json:"bytes,omitempty"`
	Hidden  string                `json:"-"`
	Untaged string                `json:",omitempty"`
	private string                // unexported: never a property
	Members []provisioning.Member `json:"members,omitempty"`
}

// TestResponseSchemaFollowsEncodingJSON checks the reflected schema against the rules
// encoding/json applies to the same type.
func TestResponseSchemaFollowsEncodingJSON(t *testing.T) {
	g := newResponseSchemas()
	ref := g.schema(reflect.TypeOf(&schemaSample{}))
	if ref["$ref"] != "#/components/schemas/SchemaSample" {
		t.Fatalf("ref = %v", ref)
	}
	s := g.components["SchemaSample"].(map[string]any)
	props := s["properties"].(map[string]any)
	check := func(name string, want any) {
		t.Helper()
		if got := props[name]; !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %v, want %v", name, got, want)
		}
	}
	check("shared", map[string]any{"type": "boolean"})
	check("deep", map[string]any{"type": "integer"})
	check("role", map[string]any{"type": "string", "enum": []string{"owner", "admin", "member", "viewer"}})
	check("at", map[string]any{"type": "string", "format": "date-time"})
	check("maybe", map[string]any{"type": "string", "format": "date-time"})
	check("ptr", map[string]any{"anyOf": []any{map[string]any{"$ref": "#/components/schemas/SchemaInner"}, map[string]any{"type": "null"}}})
	check("tags", map[string]any{"type": []string{"array", "null"}, "items": map[string]any{"type": "string"}})
	check("counts", map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "integer"}})
	check("raw", map[string]any{"description": "Any JSON value"})
	check("bytes", map[string]any{"type": "string", "format": "byte"})
	check("Untaged", map[string]any{"type": "string"})
	check("members", map[string]any{"type": "array", "items": map[string]any{"$ref": "#/components/schemas/Member"}})
	for _, absent := range []string{"Hidden", "-", "private", "schemaInner"} {
		if _, ok := props[absent]; ok {
			t.Errorf("%s should not be a property", absent)
		}
	}
	want := []string{"at", "deep", "ptr", "role", "shared", "tags"}
	if got := s["required"]; !reflect.DeepEqual(got, want) {
		t.Errorf("required = %v, want %v", got, want)
	}
	member := g.components["Member"].(map[string]any)["properties"].(map[string]any)
	if member["joinedAt"] == nil || member["email"] == nil {
		t.Errorf("Member lacks its embedded Membership fields: %v", member)
	}
}

// TestRequestSchemaIsInline checks request bodies stay inline and require nothing.
func TestRequestSchemaIsInline(t *testing.T) {
	s := newRequestSchemas().schema(reflect.TypeOf(schemaSample{}))
	if s["$ref"] != nil || s["required"] != nil {
		t.Fatalf("request schema = %v", s)
	}
	ptr := s["properties"].(map[string]any)["ptr"].(map[string]any)
	if ptr["type"] != "object" {
		t.Errorf("ptr = %v, want an inline object", ptr)
	}
}
