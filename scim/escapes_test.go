package scim_test

import (
	"net/url"
	"testing"

	"github.com/rollcall/rollcall/scim"
	"github.com/rollcall/rollcall/store/storetest"
)

// TestFilterStringEscapes: a filter's strings are JSON strings (RFC 7644 3.4.2.2): \" and \\
// and \u escapes (either case of hex) compare as the characters they stand for, in GET lists,
// POST /.search and PATCH value paths; a broken escape is 400 invalidFilter. The filter parser
// keeps escapes as written and takes upper-case hex only.
func TestFilterStringEscapes(t *testing.T) {
	each(t, func(t *testing.T, b storetest.Backend) {
		e := newEnv(t, b, -1, scim.Options{})
		uid := e.want(e.do("POST", "/Users", `{"schemas":["`+coreUser+`"],"userName":"elise@acme.com","displayName":"Ann \"Red\" Lee",
			"name":{"givenName":"élise","familyName":"back\\slash"},"emails":[{"value":"elise@acme.com","type":"wörk"}]}`), 201, "user").str("id")
		for _, f := range []string{`displayName eq "Ann \"Red\" Lee"`, `name.givenName eq "\u00e9lise"`, `name.givenName eq "\u00E9lise"`,
			`name.familyName eq "back\\slash"`, `emails[type eq "w\u00f6rk"].value eq "elise@acme.com"`, `userName eq "elise\u0040acme.com"`} {
			r := e.want(e.do("GET", "/Users?filter="+url.QueryEscape(f), ""), 200, f)
			if r.get("totalResults") != float64(1) {
				t.Fatalf("GET %s: %s", f, r.Raw)
			}
		}
		for _, f := range []string{`displayName eq "Ann \"Red\" Lee"`, `name.familyName eq "back\\slash"`, `name.givenName eq "\u00E9lise"`} {
			if r := e.want(e.do("POST", "/Users/.search", search(f)), 200, f); r.get("totalResults") != float64(1) {
				t.Fatalf("POST /.search %s: %s", f, r.Raw)
			}
		}
		e.wantError(e.do("GET", "/Users?filter="+url.QueryEscape(`userName eq "\q"`), ""), 400, "invalidFilter", "a broken escape")
		e.want(e.do("PATCH", "/Users/"+uid, patchOp+`[{"op":"replace","path":"emails[type eq \"w\\u00F6rk\"].value","value":"new@acme.com"}]}`), 200, "PATCH")
		r := e.do("GET", "/Users/"+uid, "")
		if r.str("emails.0.value") != "new@acme.com" || len(r.get("emails").([]any)) != 1 {
			t.Fatalf("the value path did not match its element: %s", r.Raw)
		}
	})
}
