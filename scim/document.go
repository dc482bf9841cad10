package scim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/elimity-com/scim"
	"github.com/elimity-com/scim/errors"
)

// document is a resource as the directory keeps it: a JSON object of the attributes the library
// validated, plus the attributes no schema declares, as the IdP sent them. Keys compare
// case-insensitively, as SCIM attribute names do.
type document map[string]any

// serverOwned are attributes the client may not set: the server assigns them or never returns them.
var serverOwned = []string{"id", "meta", "schemas", "password", "groups"}

// requestDocument is a POST or PUT body as the directory keeps it: the attributes the library
// parsed and validated, plus the top-level attributes no schema declares (an IdP's own
// extension), which the library drops, as sent. For those the body is scanned once more, one
// level deep: only the undeclared values are decoded. Server-owned attributes are removed.
func requestDocument(r *http.Request, validated scim.ResourceAttributes, t resourceSchemas) document {
	d := document(validated)
	raw, _ := r.Context().Value(bodyKey{}).([]byte)
	var top map[string]json.RawMessage
	_ = json.Unmarshal(raw, &top) // the library has accepted these bytes
	for k, v := range top {
		if t.declares(k) {
			continue
		}
		if x, err := decodeJSON(v); err == nil {
			d[k] = x
		}
	}
	return d.clean()
}

// decodeJSON decodes one JSON value, numbers kept as written.
func decodeJSON(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
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

// copyDocument decodes a stored document into new maps, for a response or a change.
func copyDocument(raw []byte) document {
	v, _ := decodeJSON(raw)
	m, _ := v.(map[string]any)
	if m == nil {
		return document{}
	}
	return document(m)
}

func badValue(detail string) error {
	return errors.ScimError{ScimType: errors.ScimTypeInvalidValue, Detail: detail, Status: 400}
}

func badPath(detail string) error {
	return errors.ScimError{ScimType: errors.ScimTypeInvalidPath, Detail: detail, Status: 400}
}
