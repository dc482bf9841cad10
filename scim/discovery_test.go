package scim_test

import (
	"testing"

	"github.com/rollcall/rollcall/scim"
	"github.com/rollcall/rollcall/store/storetest"
)

// TestNoEmptyOptionalAttributes: the discovery documents and a group without members carry no
// attribute whose value is "", null or [] (a strict client refuses "documentationUri": ""),
// but for the members RFC 7643 requires.
func TestNoEmptyOptionalAttributes(t *testing.T) {
	e := newEnv(t, storetest.Backends()[0], -1, scim.Options{})
	gid := e.want(e.do("POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Empty"}`), 201, "group").str("id")
	for _, path := range []string{"/ServiceProviderConfig", "/ResourceTypes", "/ResourceTypes/Group", "/Schemas",
		"/Schemas/urn:ietf:params:scim:schemas:core:2.0:Schema", "/Groups/" + gid, "/Groups"} {
		r := e.want(e.do("GET", path, ""), 200, path)
		if where := emptyAttribute(r.Body, path); where != "" {
			t.Errorf("%s has an empty attribute at %s: %s", path, where, r.Raw[:min(len(r.Raw), 400)])
		}
	}
	r := e.do("GET", "/Schemas", "")
	if n, _ := r.get("totalResults").(float64); n < 5 {
		t.Fatalf("schemas: %s", r.Raw[:min(len(r.Raw), 400)])
	}
}

// emptyAttribute is the path of the first member whose value is "", null or [], or "".
func emptyAttribute(v any, path string) string {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			switch y := x.(type) {
			case nil:
				return path + "." + k
			case string:
				if y == "" {
					return path + "." + k
				}
			case []any:
				if len(y) == 0 && k != "Resources" && k != "attributes" && k != "schemas" {
					return path + "." + k
				}
			}
			if where := emptyAttribute(x, path+"."+k); where != "" {
				return where
			}
		}
	case []any:
		for _, x := range v {
			if where := emptyAttribute(x, path+"[]"); where != "" {
				return where
			}
		}
	}
	return ""
}
