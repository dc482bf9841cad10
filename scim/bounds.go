package scim

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"
)

// MaxStringLength caps, in characters, the string attributes kept in columns of their own (and
// indexed): a user's userName, externalId, displayName, name.givenName, name.familyName and each
// email's value and type; a group's displayName and externalId. Postgres refuses an index entry
// over 2,704 bytes; 256 characters take at most 1,024, and Okta and Entra allow no longer names.
// Beyond it: 400 invalidValue naming the attribute.
const MaxStringLength = 256

// Attribute paths MaxStringLength applies to; a path through a multi-valued attribute applies
// to each of its values.
var (
	userStrings  = []string{"userName", "externalId", "displayName", "name.givenName", "name.familyName", "emails.value", "emails.type"}
	groupStrings = []string{"displayName", "externalId"}
)

// checkBounds refuses a document, as sent or as a PATCH leaves it, that holds a multi-valued
// attribute (at any depth, an IdP's own attributes included) with more than maxValues values,
// or one of the strings longer than MaxStringLength. Group members are never in the document.
func checkBounds(d document, strs []string, maxValues int) error {
	if err := checkValues(map[string]any(d), "", "", maxValues); err != nil {
		return err
	}
	for _, p := range strs {
		head, sub, _ := strings.Cut(p, ".")
		v, _ := d.get(head)
		if err := checkString(v, head, sub); err != nil {
			return err
		}
	}
	return nil
}

// checkValues walks v, the value of the attribute at path, for lists longer than max. Inside a
// top-level extension object (sep ":") attributes are named urn:…:User:manager, elsewhere
// name.givenName.
func checkValues(v any, path, sep string, max int) error {
	switch v := v.(type) {
	case []any:
		if len(v) > max {
			return badValue(fmt.Sprintf("%s has %d values; at most %d", path, len(v), max))
		}
		for _, el := range v {
			if err := checkValues(el, path, ".", max); err != nil {
				return err
			}
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			x := v[k]
			name, next := path+sep+k, "."
			if path == "" {
				name = k
				if strings.HasPrefix(strings.ToLower(k), "urn:") {
					next = ":"
				}
			}
			if err := checkValues(x, name, next, max); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkString checks the string at v (the attribute name), or its sub-attribute sub, in each
// value when v is a list.
func checkString(v any, name, sub string) error {
	if sub != "" {
		switch v := v.(type) {
		case []any:
			for _, el := range v {
				if err := checkString(el, name, sub); err != nil {
					return err
				}
			}
		case map[string]any:
			x, _ := document(v).get(sub)
			return checkString(x, name+"."+sub, "")
		}
		return nil
	}
	s, _ := v.(string)
	if n := utf8.RuneCountInString(s); n > MaxStringLength {
		return badValue(fmt.Sprintf("%s is %d characters long; at most %d", name, n, MaxStringLength))
	}
	return nil
}
