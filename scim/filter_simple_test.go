package scim

import (
	"reflect"
	"testing"
)

// simpleFilters are filters parseSimple takes; FuzzSimpleFilter starts from them and from
// near misses it must leave to the parser.
var simpleFilters = []string{
	`userName eq "ann@acme.com"`,
	`externalId eq "00u1abcd"`,
	`userName eq ""`,
	`userName eq "Zoë Ünal 😀 <a@b>"`,
	`name.givenName sw "An"`,
	`displayName co "Eng"`,
	`meta.lastModified gt "2026-01-01T00:00:00Z"`,
	`$ref eq "x"`,
	`emails[type eq "work"].value eq "ann@acme.com"`,
	`emails[primary eq "true"].value co "acme"`,
	`members[value eq "abc"].display eq "Ann"`,
}

var notSimpleFilters = []string{
	`userName eq "a\"b"`,
	`userName eq "\u00E9"`,
	`userName EQ "x"`,
	`userName  eq "x"`,
	`userName eq "x" `,
	`userName eq "x" and active eq true`,
	`active eq true`,
	`userName pr`,
	`urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x"`,
	`emails[type eq "work"]`,
	`emails[type eq "work"].$ref eq "x"`,
	`emails[type eq "work"].value.x eq "x"`,
	`name.givenName[type eq "x"].value eq "y"`,
	"userName eq \"a\tb\"",
	"userName eq \"\xff\"",
	`userName eq "x`,
	`1userName eq "x"`,
}

// TestSimpleFilters checks that parseSimple takes the filters IdPs send and answers what the
// parser answers, and that it leaves every other shape to the parser.
func TestSimpleFilters(t *testing.T) {
	for _, raw := range simpleFilters {
		fast, ok := parseSimple(raw)
		if !ok {
			t.Errorf("%s: not taken by parseSimple", raw)
			continue
		}
		slow, err := parseWithParser(raw)
		if err != nil || !reflect.DeepEqual(fast, slow) {
			t.Errorf("%s: parseSimple %#v, the parser %#v (%v)", raw, fast, slow, err)
		}
	}
	for _, raw := range notSimpleFilters {
		if e, ok := parseSimple(raw); ok {
			t.Errorf("%s: taken by parseSimple as %#v", raw, e)
		}
	}
}

// FuzzSimpleFilter holds parseSimple to the parser: whatever it takes, the parser parses to the
// same expression.
func FuzzSimpleFilter(f *testing.F) {
	for _, raw := range append(simpleFilters, notSimpleFilters...) {
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		fast, ok := parseSimple(raw)
		if !ok {
			return
		}
		slow, err := parseWithParser(raw)
		if err != nil || !reflect.DeepEqual(fast, slow) {
			t.Fatalf("%q: parseSimple %#v, the parser %#v (%v)", raw, fast, slow, err)
		}
	})
}
