package api_test

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// TestOpenAPIDocumentIsValid fails for any operation without a documented success answer, and
// for structural faults a client generator would trip on.
func TestOpenAPIDocumentIsValid(t *testing.T) {
	e := newEnv(t)
	doc := e.do("", "GET", "/openapi.json", nil)
	if doc.Status != 200 {
		t.Fatalf("openapi.json: %d", doc.Status)
	}
	for _, p := range docProblems(doc.Body) {
		t.Error(p)
	}
}

// TestDocProblemsCatchesFaults feeds the checker a broken document, so a checker that passes
// everything fails here.
func TestDocProblemsCatchesFaults(t *testing.T) {
	broken := map[string]any{
		"openapi": "2.0",
		"info":    map[string]any{"title": "x"},
		"paths": map[string]any{
			"/orgs/{org}": map[string]any{
				"get": map[string]any{"responses": map[string]any{
					"200": map[string]any{"description": "OK", "content": map[string]any{"application/json": map[string]any{}}},
				}},
				"delete": map[string]any{
					"parameters": []any{map[string]any{"name": "org", "in": "path", "required": true}},
					"responses": map[string]any{
						"204": map[string]any{"description": "No Content"},
						"4XX": map[string]any{"$ref": "#/components/responses/Missing"},
					}},
			},
		},
	}
	want := []string{
		"openapi is \"2.0\"",
		"info.version is missing",
		"GET /orgs/{org}: path parameter {org} is not declared",
		"GET /orgs/{org}: no 2XX response with a schema",
		"$ref #/components/responses/Missing does not resolve",
	}
	got := strings.Join(docProblems(broken), "\n")
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("checker missed %q; it found:\n%s", w, got)
		}
	}
	if strings.Contains(got, "DELETE /orgs/{org}: no 2XX") {
		t.Errorf("a 204 without content was refused:\n%s", got)
	}
}

var templateParam = regexp.MustCompile(`\{([^}]+)\}`)

// docProblems lists what is wrong with an OpenAPI 3.x document: required top-level fields,
// each operation's success response and path parameters, and every local $ref.
func docProblems(doc map[string]any) []string {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.") {
		add("openapi is %q, want 3.x", v)
	}
	info, _ := doc["info"].(map[string]any)
	for _, k := range []string{"title", "version"} {
		if s, _ := info[k].(string); s == "" {
			add("info.%s is missing", k)
		}
	}
	paths, _ := doc["paths"].(map[string]any)
	if len(paths) == 0 {
		add("paths is empty")
	}
	for _, path := range sortedKeys(paths) {
		item, _ := paths[path].(map[string]any)
		for _, method := range sortedKeys(item) {
			op, _ := item[method].(map[string]any)
			name := strings.ToUpper(method) + " " + path
			problems = append(problems, operationProblems(name, path, op)...)
		}
	}
	walkRefs(doc, func(ref string) {
		if _, ok := resolve(doc, ref); !ok {
			add("$ref %s does not resolve", ref)
		}
	})
	return problems
}

func operationProblems(name, path string, op map[string]any) []string {
	var problems []string
	declared := map[string]bool{}
	params, _ := op["parameters"].([]any)
	for _, p := range params {
		p, _ := p.(map[string]any)
		if p["in"] == "path" {
			n, _ := p["name"].(string)
			declared[n] = true
			if p["required"] != true {
				problems = append(problems, fmt.Sprintf("%s: path parameter %s is not required", name, n))
			}
			if !strings.Contains(path, "{"+n+"}") {
				problems = append(problems, fmt.Sprintf("%s: path parameter %s is not in the path", name, n))
			}
		}
	}
	for _, m := range templateParam.FindAllStringSubmatch(path, -1) {
		if !declared[m[1]] {
			problems = append(problems, fmt.Sprintf("%s: path parameter {%s} is not declared", name, m[1]))
		}
	}
	responses, _ := op["responses"].(map[string]any)
	if !hasSuccess(responses) {
		problems = append(problems, fmt.Sprintf("%s: no 2XX response with a schema (or a 204 without content)", name))
	}
	for _, code := range []string{"4XX", "5XX"} {
		if r, _ := responses[code].(map[string]any); r["$ref"] != "#/components/responses/Error" {
			problems = append(problems, fmt.Sprintf("%s: %s is not the shared Error response", name, code))
		}
	}
	return problems
}

// hasSuccess reports a 2XX answer whose every media type has a schema, or a bare 204.
func hasSuccess(responses map[string]any) bool {
	for code, r := range responses {
		n, err := strconv.Atoi(code)
		if err != nil || n < 200 || n > 299 {
			continue
		}
		r, _ := r.(map[string]any)
		content, _ := r["content"].(map[string]any)
		if n == 204 {
			return len(content) == 0
		}
		if len(content) == 0 {
			return false
		}
		for _, media := range content {
			media, _ := media.(map[string]any)
			if schema, _ := media["schema"].(map[string]any); len(schema) == 0 {
				return false
			}
		}
		return true
	}
	return false
}

func walkRefs(v any, fn func(string)) {
	switch v := v.(type) {
	case map[string]any:
		if ref, ok := v["$ref"].(string); ok {
			fn(ref)
		}
		for _, child := range v {
			walkRefs(child, fn)
		}
	case []any:
		for _, child := range v {
			walkRefs(child, fn)
		}
	}
}

// resolve follows a local JSON pointer such as #/components/schemas/Org.
func resolve(doc map[string]any, ref string) (any, bool) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, false
	}
	var cur any = doc
	for _, part := range strings.Split(ref[2:], "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
