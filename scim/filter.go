package scim

import (
	"encoding/json"
	"regexp"
	"strings"

	"github.com/scim2/filter-parser/v2"

	"github.com/rollcall/rollcall/provisioning"
)

// multiValued are the attributes kept as rows of their own; a sub-attribute comparison on them
// means "some element matches".
var multiValued = map[string]bool{"emails": true, "members": true}

// parseFilter parses a SCIM filter. Entra sends `emails[type eq "work"].value eq "x"`, a PATCH
// path used as a filter, which the RFC grammar (and the parser) lacks: the trailing comparison is
// cut out before parsing and joined to its value filter with "and" afterwards. String values
// are decoded (decodeStrings).
//
// The two shapes IdPs send on every lookup take a short path (parseSimple) that builds the same
// expression without the parser; anything else goes through the parser.
func parseFilter(raw string) (filter.Expression, error) {
	if e, ok := parseSimple(raw); ok {
		return e, nil
	}
	return parseWithParser(raw)
}

// parseWithParser is parseFilter through the parser, whatever the filter's shape.
func parseWithParser(raw string) (filter.Expression, error) {
	e, err := parseJoined(raw)
	if err != nil {
		return nil, err
	}
	return decodeStrings(e)
}

// decodeStrings returns the filter with each string it compares replaced by what it says: the
// parser keeps a string's escapes as written (`"a\"b"` stays a\"b), and RFC 7644 3.4.2.2
// makes it a JSON string (a"b). One that is not valid JSON is refused. e is left as it is, so
// a transaction that runs again decodes the same strings again, not twice.
func decodeStrings(e filter.Expression) (filter.Expression, error) {
	switch e := e.(type) {
	case *filter.LogicalExpression:
		l, err := decodeStrings(e.Left)
		if err != nil {
			return nil, err
		}
		r, err := decodeStrings(e.Right)
		return &filter.LogicalExpression{Left: l, Right: r, Operator: e.Operator}, err
	case *filter.NotExpression:
		inner, err := decodeStrings(e.Expression)
		return &filter.NotExpression{Expression: inner}, err
	case *filter.ValuePath:
		inner, err := decodeStrings(e.ValueFilter)
		return &filter.ValuePath{AttributePath: e.AttributePath, ValueFilter: inner}, err
	case *filter.AttributeExpression:
		s, ok := e.CompareValue.(string)
		if !ok {
			return e, nil
		}
		var v string
		if err := json.Unmarshal([]byte(`"`+s+`"`), &v); err != nil {
			return nil, provisioning.Invalidf("filter", "%q is not a valid JSON string", s)
		}
		return &filter.AttributeExpression{AttributePath: e.AttributePath, Operator: e.Operator, CompareValue: v}, nil
	}
	return e, nil
}

// upperEscapes upper-cases the hex digits of each \uXXXX escape inside quoted strings: JSON
// takes either case, the parser only upper case (\u00e9 would be a syntax error; \u00E9 is é).
func upperEscapes(s string) string {
	if !strings.Contains(s, `\u`) {
		return s
	}
	b := []byte(s)
	inQuote := false
	for i := 0; i < len(b); i++ {
		switch {
		case b[i] == '"':
			inQuote = !inQuote
		case inQuote && b[i] == '\\' && i+1 < len(b):
			if b[i+1] == 'u' {
				for j := i + 2; j < min(i+6, len(b)); j++ {
					if b[j] >= 'a' && b[j] <= 'f' {
						b[j] -= 'a' - 'A'
					}
				}
			}
			i++
		}
	}
	return string(b)
}

func parseJoined(raw string) (filter.Expression, error) {
	text, extras := splitValuePathCompares(upperEscapes(raw))
	e, err := filter.ParseFilter([]byte(text))
	if err != nil {
		return nil, err
	}
	n := 0
	var join func(e filter.Expression) error
	join = func(e filter.Expression) error {
		switch e := e.(type) {
		case *filter.LogicalExpression:
			if err := join(e.Left); err != nil {
				return err
			}
			return join(e.Right)
		case *filter.NotExpression:
			return join(e.Expression)
		case *filter.ValuePath:
			extra := ""
			if n < len(extras) {
				extra = extras[n]
			}
			n++
			if extra == "" {
				return nil
			}
			cmp, err := filter.ParseFilter([]byte(extra))
			if err != nil {
				return err
			}
			e.ValueFilter = &filter.LogicalExpression{Left: e.ValueFilter, Right: cmp, Operator: filter.AND}
		}
		return nil
	}
	return e, join(e)
}

var trailingCompare = regexp.MustCompile(`^\]\.([A-Za-z][\w$-]*)\s+(?i:(eq|ne|co|sw|ew|gt|lt|ge|le)\s+("(?:[^"\\]|\\.)*"|true|false|null|[-+0-9.eE]+)|(pr))`)

// splitValuePathCompares removes the ".sub op value" after each value path's closing bracket and
// returns it, one entry per value path in order ("" when there is none).
func splitValuePathCompares(s string) (string, []string) {
	var out strings.Builder
	var extras []string
	inQuote := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inQuote:
			if c == '\\' && i+1 < len(s) {
				out.WriteByte(c)
				i++
				c = s[i]
			} else if c == '"' {
				inQuote = false
			}
		case c == '"':
			inQuote = true
		case c == ']':
			m := trailingCompare.FindStringSubmatch(s[i:])
			if m == nil {
				extras = append(extras, "")
				break
			}
			cond := m[1] + " " + m[2] + " " + m[3]
			if m[4] != "" {
				cond = m[1] + " pr"
			}
			extras = append(extras, cond)
			out.WriteByte(']')
			i += len(m[0]) - 1
			continue
		}
		out.WriteByte(c)
	}
	return out.String(), extras
}

// translate turns a parsed filter into the store's filter; the store rejects attributes it cannot
// filter on, which becomes invalidFilter.
func translate(e filter.Expression, coreURI string) (*provisioning.DirectoryFilter, error) {
	switch e := e.(type) {
	case *filter.LogicalExpression:
		l, err := translate(e.Left, coreURI)
		if err != nil {
			return nil, err
		}
		r, err := translate(e.Right, coreURI)
		if err != nil {
			return nil, err
		}
		return &provisioning.DirectoryFilter{Op: strings.ToLower(string(e.Operator)), Left: l, Right: r}, nil
	case *filter.NotExpression:
		inner, err := translate(e.Expression, coreURI)
		if err != nil {
			return nil, err
		}
		return &provisioning.DirectoryFilter{Op: "not", Left: inner}, nil
	case *filter.ValuePath:
		name, err := attrName(e.AttributePath, coreURI)
		if err != nil {
			return nil, err
		}
		inner, err := translate(e.ValueFilter, coreURI)
		if err != nil {
			return nil, err
		}
		return &provisioning.DirectoryFilter{Op: "each", Each: name, Left: inner}, nil
	case *filter.AttributeExpression:
		name, err := attrName(e.AttributePath, coreURI)
		if err != nil {
			return nil, err
		}
		cmp := &provisioning.DirectoryFilter{Op: "cmp", Attr: name, Cmp: strings.ToLower(string(e.Operator)), Value: e.CompareValue}
		if head, sub, ok := strings.Cut(name, "."); ok && multiValued[head] {
			cmp.Attr = sub
			return &provisioning.DirectoryFilter{Op: "each", Each: head, Left: cmp}, nil
		}
		if multiValued[name] {
			cmp.Attr = "value"
			return &provisioning.DirectoryFilter{Op: "each", Each: name, Left: cmp}, nil
		}
		return cmp, nil
	}
	return nil, provisioning.Invalidf("filter", "unsupported filter expression")
}

func attrName(p filter.AttributePath, coreURI string) (string, error) {
	if uri := p.URI(); uri != "" && !strings.EqualFold(uri, coreURI) {
		return "", provisioning.Invalidf("filter", "filtering on %s attributes is not supported", uri)
	}
	name := strings.ToLower(p.AttributeName)
	if sub := p.SubAttributeName(); sub != "" {
		name += "." + strings.ToLower(sub)
	}
	return name, nil
}
