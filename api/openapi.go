package api

import (
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"sync"
)

// document is the OpenAPI 3.1 description, built from the registered routes so it cannot drift
// from them.
type document struct {
	mu     sync.Mutex
	routes []Route
}

func newDocument() *document { return &document{} }

func (d *document) add(rt Route) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.routes = append(d.routes, rt)
}

var pathParam = regexp.MustCompile(`\{([a-zA-Z]+)\}`)

// build renders the document as a JSON-ready map.
func (d *document) build() map[string]any {
	d.mu.Lock()
	defer d.mu.Unlock()
	paths := map[string]map[string]any{}
	for _, rt := range d.routes {
		if paths[rt.Path] == nil {
			paths[rt.Path] = map[string]any{}
		}
		paths[rt.Path][strings.ToLower(rt.Method)] = operation(rt)
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "Rollcall API", "version": "1",
			"description": "Identity provisioning: orgs, members, roles, seats, tokens, audit log."},
		"servers": []map[string]string{{"url": "/api/v1"}},
		"paths":   paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{"bearer": map[string]string{"type": "http", "scheme": "bearer",
				"description": "A member API token (mwt_…) or the operator key."}},
			"schemas": map[string]any{"Error": schemaOf(reflect.TypeOf(ErrorBody{}))},
		},
	}
}

func operation(rt Route) map[string]any {
	var params []map[string]any
	for _, m := range pathParam.FindAllStringSubmatch(rt.Path, -1) {
		params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]string{"type": "string"}})
	}
	for _, q := range rt.Query {
		params = append(params, map[string]any{"name": q, "in": "query", "schema": map[string]string{"type": "string"}})
	}
	produces := rt.Produces
	if produces == "" {
		produces = "application/json"
	}
	op := map[string]any{
		"summary": rt.Summary,
		"responses": map[string]any{
			"2XX":     map[string]any{"description": "Success", "content": map[string]any{produces: map[string]any{}}},
			"default": map[string]any{"description": "Error", "content": map[string]any{"application/json": map[string]any{"schema": map[string]string{"$ref": "#/components/schemas/Error"}}}},
		},
	}
	if params != nil {
		op["parameters"] = params
	}
	if rt.Body != nil {
		op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
			"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(rt.Body))}}}
	}
	if rt.Auth != "public" {
		op["security"] = []map[string][]string{{"bearer": {}}}
	}
	return op
}

// schemaOf derives a JSON schema from a Go type's JSON shape.
func schemaOf(t reflect.Type) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64, reflect.Int32:
		return map[string]any{"type": "integer"}
	case reflect.Float64, reflect.Float32:
		return map[string]any{"type": "number"}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": schemaOf(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object"}
	case reflect.Struct:
		if t.PkgPath() == "time" {
			return map[string]any{"type": "string", "format": "date-time"}
		}
		props := map[string]any{}
		for i := range t.NumField() {
			f := t.Field(i)
			name := strings.Split(f.Tag.Get("json"), ",")[0]
			if name == "-" || !f.IsExported() {
				continue
			}
			if f.Anonymous && name == "" {
				for k, v := range schemaOf(f.Type)["properties"].(map[string]any) {
					props[k] = v
				}
				continue
			}
			if name == "" {
				name = f.Name
			}
			props[name] = schemaOf(f.Type)
		}
		return map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	}
	return map[string]any{}
}

func (r *Router) serveDocument(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, r.doc.build())
}
