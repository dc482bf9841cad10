package scim

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/elimity-com/scim/errors"
)

// document is a resource as the IdP sent it: a JSON object whose unknown-but-valid attributes are
// kept and returned as sent. Keys compare case-insensitively, as SCIM attribute names do.
type document map[string]any

// serverOwned are attributes the client may not set: the server assigns them or never returns them.
var serverOwned = []string{"id", "meta", "schemas", "password", "groups"}

func parseDocument(raw []byte) (document, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil || m == nil {
		return nil, errors.ScimErrorInvalidSyntax
	}
	if d.More() {
		return nil, errors.ScimErrorInvalidSyntax
	}
	return document(m), nil
}

// checkSchemas requires the resource's core schema among the body's schemas, and URIs only.
func checkSchemas(d document, core string) error {
	raw, _ := d.get("schemas")
	list, ok := raw.([]any)
	found := false
	for _, v := range list {
		s, isString := v.(string)
		if !isString || !strings.HasPrefix(strings.ToLower(s), "urn:") {
			return badValue("schemas must be a list of schema URIs")
		}
		found = found || strings.EqualFold(s, core)
	}
	if !ok || !found {
		return badValue("schemas must include " + core)
	}
	return nil
}

func (d document) key(name string) (string, bool) {
	if _, ok := d[name]; ok {
		return name, true
	}
	for k := range d {
		if strings.EqualFold(k, name) {
			return k, true
		}
	}
	return name, false
}

func (d document) get(name string) (any, bool) {
	k, ok := d.key(name)
	if !ok {
		return nil, false
	}
	return d[k], true
}

func (d document) set(name string, v any) {
	k, _ := d.key(name)
	d[k] = v
}

func (d document) del(name string) {
	if k, ok := d.key(name); ok {
		delete(d, k)
	}
}

func (d document) str(name string) string {
	v, _ := d.get(name)
	s, _ := v.(string)
	return s
}

// sub returns the complex attribute name, creating it when create is set.
func (d document) sub(name string, create bool) document {
	v, _ := d.get(name)
	if m, ok := v.(map[string]any); ok {
		return document(m)
	}
	if !create {
		return nil
	}
	m := map[string]any{}
	d.set(name, m)
	return document(m)
}

func (d document) clean() document {
	for _, k := range serverOwned {
		d.del(k)
	}
	return d
}

func (d document) marshal() []byte {
	b, _ := json.Marshal(map[string]any(d))
	return b
}

// copyDocument returns a deep copy, so a response never shares a map with another request.
func copyDocument(raw []byte) document {
	d, err := parseDocument(raw)
	if err != nil {
		return document{}
	}
	return d
}

func badValue(detail string) error {
	return errors.ScimError{ScimType: errors.ScimTypeInvalidValue, Detail: detail, Status: 400}
}

func badPath(detail string) error {
	return errors.ScimError{ScimType: errors.ScimTypeInvalidPath, Detail: detail, Status: 400}
}
