package api

import (
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/rollcall/rollcall/domains"
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

// errorResponse is the shared 4XX/5XX answer, every API error's ErrorBody.
var errorResponse = map[string]any{"$ref": "#/components/responses/Error"}

// build renders the document as a JSON-ready map.
func (d *document) build() map[string]any {
	d.mu.Lock()
	defer d.mu.Unlock()
	responses := newResponseSchemas()
	responses.name(reflect.TypeOf(ErrorBody{}), "Error")
	responses.name(reflect.TypeOf(domains.Info{}), "DomainInfo")
	errorSchema := responses.schema(reflect.TypeOf(ErrorBody{}))
	paths := map[string]map[string]any{}
	for _, rt := range d.routes {
		if paths[rt.Path] == nil {
			paths[rt.Path] = map[string]any{}
		}
		paths[rt.Path][strings.ToLower(rt.Method)] = operation(rt, responses)
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
			"schemas": responses.components,
			"responses": map[string]any{"Error": map[string]any{"description": "Error",
				"content": map[string]any{"application/json": map[string]any{"schema": errorSchema}}}},
		},
	}
}

func operation(rt Route, responses *schemaGen) map[string]any {
	var params []map[string]any
	for _, m := range pathParam.FindAllStringSubmatch(rt.Path, -1) {
		params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]string{"type": "string"}})
	}
	for _, q := range rt.Query {
		params = append(params, map[string]any{"name": q, "in": "query", "schema": map[string]string{"type": "string"}})
	}
	status := rt.Status
	if status == 0 {
		status = http.StatusOK
	}
	op := map[string]any{
		"summary": rt.Summary,
		"responses": map[string]any{
			strconv.Itoa(status): success(rt, status, responses),
			"4XX":                errorResponse,
			"5XX":                errorResponse,
		},
	}
	if params != nil {
		op["parameters"] = params
	}
	if rt.Body != nil {
		op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
			"application/json": map[string]any{"schema": newRequestSchemas().schema(reflect.TypeOf(rt.Body))}}}
	}
	if rt.Auth != "public" {
		op["security"] = []map[string][]string{{"bearer": {}}}
	}
	return op
}

// success is the route's success response: no content for 204, text for a non-JSON body, else
// the schema of rt.Response. A JSON route without a Response gets no content, which the
// document test refuses.
func success(rt Route, status int, responses *schemaGen) map[string]any {
	out := map[string]any{"description": http.StatusText(status)}
	if status == http.StatusNoContent {
		return out
	}
	var schema map[string]any
	switch {
	case rt.Response != nil:
		schema = responses.schema(reflect.TypeOf(rt.Response))
	case rt.Produces != "":
		schema = map[string]any{"type": "string"}
	default:
		return out
	}
	produces := rt.Produces
	if produces == "" {
		produces = "application/json"
	}
	out["content"] = map[string]any{produces: map[string]any{"schema": schema}}
	return out
}

func (r *Router) serveDocument(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, r.doc.build())
}
