package api

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/rollcall/rollcall/provisioning"
)

var (
	timeType       = reflect.TypeOf(time.Time{})
	rawMessageType = reflect.TypeOf(json.RawMessage{})
)

// enums lists the values of named string types whose values the core enumerates.
var enums = map[reflect.Type][]string{
	reflect.TypeOf(provisioning.Role("")): roleNames(),
}

func roleNames() []string {
	names := make([]string, len(provisioning.Roles))
	for i, r := range provisioning.Roles {
		names[i] = string(r)
	}
	return names
}

// schemaGen derives JSON schemas from Go types' JSON shapes by reflection. A response generator
// (components set) files each named struct under components/schemas and refers to it by $ref,
// and marks fields without omitempty required; a request generator inlines everything and
// requires nothing, since the decoder accepts absent fields.
type schemaGen struct {
	components map[string]any
	names      map[reflect.Type]string
	taken      map[string]reflect.Type
}

func newRequestSchemas() *schemaGen { return &schemaGen{} }

func newResponseSchemas() *schemaGen {
	return &schemaGen{components: map[string]any{}, names: map[reflect.Type]string{}, taken: map[string]reflect.Type{}}
}

func (g *schemaGen) responses() bool { return g.components != nil }

// name fixes a type's component name before its first use (ErrorBody is "Error").
func (g *schemaGen) name(t reflect.Type, name string) {
	g.names[t] = name
	g.taken[name] = t
}

// schema is the JSON schema of t.
func (g *schemaGen) schema(t reflect.Type) map[string]any {
	if t == rawMessageType {
		return map[string]any{"description": "Any JSON value"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return g.schema(t.Elem())
	case reflect.String:
		s := map[string]any{"type": "string"}
		if values, ok := enums[t]; ok {
			s["enum"] = values
		}
		return s
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "format": "byte"}
		}
		return map[string]any{"type": "array", "items": g.schema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case reflect.Struct:
		if t == timeType {
			return map[string]any{"type": "string", "format": "date-time"}
		}
		if g.responses() && t.Name() != "" {
			return map[string]any{"$ref": "#/components/schemas/" + g.component(t)}
		}
		return g.object(t)
	}
	return map[string]any{}
}

// component files t under components/schemas once and returns its name; a name already taken
// by another type is qualified with the package name.
func (g *schemaGen) component(t reflect.Type) string {
	name, named := g.names[t]
	if _, filed := g.components[name]; named && filed {
		return name
	}
	if !named {
		name = exportedName(t.Name())
		if other, ok := g.taken[name]; ok && other != t {
			pkg := t.PkgPath()[strings.LastIndex(t.PkgPath(), "/")+1:]
			name = exportedName(pkg) + name
		}
		g.name(t, name)
	}
	g.components[name] = map[string]any{}
	g.components[name] = g.object(t)
	return name
}

func exportedName(s string) string {
	r := []rune(s)
	if len(r) > 0 {
		r[0] = unicode.ToUpper(r[0])
	}
	return string(r)
}

// object is a struct's schema: json names, omitempty, and embedded structs' promoted fields,
// which the struct's own fields shadow as encoding/json does.
func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	required := map[string]bool{}
	g.fields(t, props, required, true)
	s := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if g.responses() && len(required) > 0 {
		names := make([]string, 0, len(required))
		for name := range required {
			names = append(names, name)
		}
		sort.Strings(names)
		s["required"] = names
	}
	return s
}

func (g *schemaGen) fields(t reflect.Type, props map[string]any, required map[string]bool, present bool) {
	var embedded []reflect.StructField
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" && opts == "" {
			continue
		}
		if f.Anonymous && name == "" && indirect(f.Type).Kind() == reflect.Struct {
			embedded = append(embedded, f)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		omitempty := strings.Contains(","+opts+",", ",omitempty,") || strings.Contains(","+opts+",", ",omitzero,")
		props[name] = g.field(f.Type, omitempty)
		if present && !omitempty {
			required[name] = true
		}
	}
	for _, f := range embedded {
		inner := map[string]any{}
		innerRequired := map[string]bool{}
		g.fields(indirect(f.Type), inner, innerRequired, present && f.Type.Kind() != reflect.Pointer)
		for k, v := range inner {
			if _, shadowed := props[k]; !shadowed {
				props[k] = v
				if innerRequired[k] {
					required[k] = true
				}
			}
		}
	}
}

// field is a field's schema; in responses a pointer, slice or map without omitempty may be null.
func (g *schemaGen) field(t reflect.Type, omitempty bool) map[string]any {
	s := g.schema(t)
	nullable := t.Kind() == reflect.Pointer || (t.Kind() == reflect.Slice && t != rawMessageType) || t.Kind() == reflect.Map
	if !g.responses() || omitempty || !nullable {
		return s
	}
	if typ, ok := s["type"].(string); ok {
		s["type"] = []string{typ, "null"}
		return s
	}
	return map[string]any{"anyOf": []any{s, map[string]any{"type": "null"}}}
}

func indirect(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}
