package scim

import (
	"unicode/utf8"

	"github.com/scim2/filter-parser/v2"
)

// parseSimple recognizes the filters Okta and Entra send on every lookup, `userName eq "x"`
// (any attribute, any comparison with a string) and `emails[type eq "work"].value eq "x"`,
// written plainly: one space between the parts, lower-case operators, no schema URN, strings
// without escapes. For those it returns the expression parseWithParser would, without the
// parser, whose allocations were a fifth of a filtered lookup's CPU; ok is false for anything
// else, which then goes through the parser. FuzzSimpleFilter holds the two to the same answer.
func parseSimple(raw string) (e filter.Expression, ok bool) {
	c := simpleScanner{s: raw}
	path, ok := c.path()
	if !ok {
		return nil, false
	}
	if c.take('[') {
		if path.SubAttribute != nil {
			return nil, false
		}
		inner, ok := c.compare()
		if !ok || !c.take(']') || !c.take('.') || c.i < len(c.s) && c.s[c.i] == '$' {
			return nil, false
		}
		// The trailing comparison names a sub-attribute of the value path: a plain name.
		name, ok := c.name()
		if !ok {
			return nil, false
		}
		trailing, ok := c.compareAfter(filter.AttributePath{AttributeName: name})
		if !ok || !c.end() {
			return nil, false
		}
		return &filter.ValuePath{AttributePath: path, ValueFilter: &filter.LogicalExpression{
			Left: inner, Right: trailing, Operator: filter.AND}}, true
	}
	cmp, ok := c.compareAfter(path)
	if !ok || !c.end() {
		return nil, false
	}
	return cmp, true
}

// simpleScanner reads parseSimple's grammar from s, at i.
type simpleScanner struct {
	s string
	i int
}

func (c *simpleScanner) end() bool { return c.i == len(c.s) }

func (c *simpleScanner) take(b byte) bool {
	if c.i < len(c.s) && c.s[c.i] == b {
		c.i++
		return true
	}
	return false
}

// name reads an attribute name: an optional $, a letter, then letters, digits, - and _.
func (c *simpleScanner) name() (string, bool) {
	start := c.i
	c.take('$')
	if c.i == len(c.s) || !isAlpha(c.s[c.i]) {
		return "", false
	}
	for c.i < len(c.s) && (isAlpha(c.s[c.i]) || isDigit(c.s[c.i]) || c.s[c.i] == '-' || c.s[c.i] == '_') {
		c.i++
	}
	return c.s[start:c.i], true
}

// path reads a name with an optional sub-attribute.
func (c *simpleScanner) path() (filter.AttributePath, bool) {
	n, ok := c.name()
	if !ok {
		return filter.AttributePath{}, false
	}
	p := filter.AttributePath{AttributeName: n}
	if c.take('.') {
		sub, ok := c.name()
		if !ok {
			return filter.AttributePath{}, false
		}
		p.SubAttribute = &sub
	}
	return p, true
}

// compare reads `path op "string"`.
func (c *simpleScanner) compare() (*filter.AttributeExpression, bool) {
	p, ok := c.path()
	if !ok {
		return nil, false
	}
	return c.compareAfter(p)
}

// compareAfter reads ` op "string"` after a path.
func (c *simpleScanner) compareAfter(p filter.AttributePath) (*filter.AttributeExpression, bool) {
	if !c.take(' ') || c.i+2 > len(c.s) {
		return nil, false
	}
	op := filter.CompareOperator(c.s[c.i : c.i+2])
	switch op {
	case filter.EQ, filter.NE, filter.CO, filter.SW, filter.EW, filter.GT, filter.LT, filter.GE, filter.LE:
	default:
		return nil, false
	}
	c.i += 2
	if !c.take(' ') {
		return nil, false
	}
	v, ok := c.plainString()
	if !ok {
		return nil, false
	}
	return &filter.AttributeExpression{AttributePath: p, Operator: op, CompareValue: v}, true
}

// plainString reads a quoted string of valid UTF-8 without escapes or control characters, which
// means what it says.
func (c *simpleScanner) plainString() (string, bool) {
	if !c.take('"') {
		return "", false
	}
	start := c.i
	for c.i < len(c.s) {
		b := c.s[c.i]
		switch {
		case b == '"':
			v := c.s[start:c.i]
			c.i++
			return v, utf8.ValidString(v)
		case b == '\\' || b < 0x20:
			return "", false
		}
		c.i++
	}
	return "", false
}

func isAlpha(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }

func isDigit(b byte) bool { return b >= '0' && b <= '9' }
