package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/rollcall/rollcall/store/storetest"
)

// TestOpenAPICoversEveryRoute walks the router and fails for any route missing from the document.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	h := storetest.NewHarness(t, storetest.OpenSQLite(t))
	handler := newHandler(t, h)
	e := newEnv(t)
	doc := e.do("", "GET", "/openapi.json", nil)
	if doc.Status != 200 || doc.Body["openapi"] != "3.1.0" {
		t.Fatalf("openapi.json: %d", doc.Status)
	}
	paths := doc.Body["paths"].(map[string]any)
	routes := 0
	err := chi.Walk(handler.(chi.Routes), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if route == "/openapi.json" {
			return nil
		}
		routes++
		ops, ok := paths[route].(map[string]any)
		if !ok || ops[strings.ToLower(method)] == nil {
			t.Errorf("%s %s is served but missing from openapi.json", method, route)
		}
		return nil
	})
	if err != nil || routes < 20 {
		t.Fatalf("walked %d routes, err %v", routes, err)
	}
}
