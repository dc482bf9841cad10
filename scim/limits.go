package scim

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/elimity-com/scim/errors"
	"github.com/scim2/filter-parser/v2"
)

// filterLimits bound a list filter (GET ?filter= and POST /.search). Okta and Entra send one
// or two comparisons; the bounds are far above that and far below what costs: the filter parser
// recurses once per nesting level (100,000 nested parentheses overflow the stack and end the
// process) and spends about 0.1 ms per term, and SQLite refuses an expression deeper than 1,000.
type filterLimits struct{ length, terms, depth int }

func (s *Service) filterLimits() filterLimits {
	return filterLimits{length: s.opts.MaxFilterLength, terms: s.opts.MaxFilterTerms, depth: s.opts.MaxFilterDepth}
}

// checkText bounds what a parser may be given: the length in bytes and how deep parentheses
// and value-path brackets nest, outside quoted strings. It runs before any parser sees the text.
func (l filterLimits) checkText(raw string) error {
	if len(raw) > l.length {
		return limitError("the filter is %d bytes long; at most %d", len(raw), l.length)
	}
	if d := nesting(raw); d > l.depth {
		return limitError("the filter nests parentheses and brackets %d deep; at most %d", d, l.depth)
	}
	return nil
}

// checkExpr bounds the number of terms (comparisons) of a parsed filter.
func (l filterLimits) checkExpr(e filter.Expression) error {
	if n := terms(e); n > l.terms {
		return limitError("the filter has %d terms; at most %d", n, l.terms)
	}
	return nil
}

// nesting is the deepest level of parentheses and brackets outside quoted strings.
func nesting(s string) int {
	depth, deepest, inQuote := 0, 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case inQuote && c == '\\':
			i++
		case c == '"':
			inQuote = !inQuote
		case inQuote:
		case c == '(' || c == '[':
			depth++
			deepest = max(deepest, depth)
		case c == ')' || c == ']':
			depth = max(depth-1, 0)
		}
	}
	return deepest
}

// terms counts the comparisons of a filter, those inside value paths included.
func terms(e filter.Expression) int {
	switch e := e.(type) {
	case *filter.LogicalExpression:
		return terms(e.Left) + terms(e.Right)
	case *filter.NotExpression:
		return terms(e.Expression)
	case *filter.ValuePath:
		return terms(e.ValueFilter)
	case *filter.AttributeExpression:
		return 1
	}
	return 0
}

func limitError(format string, args ...any) errors.ScimError {
	return scimStatus(http.StatusBadRequest, errors.ScimTypeInvalidFilter, fmt.Sprintf(format, args...))
}

// checkSearch bounds the filter of a POST /.search body before the library parses it: refused
// says the body is answered with refusal. A body it cannot read is left to the library.
func (l filterLimits) checkSearch(body []byte) (refusal errors.ScimError, refused bool) {
	var req struct {
		Filter string `json:"filter"`
	}
	if json.Unmarshal(body, &req) != nil {
		return refusal, false
	}
	err := l.checkText(req.Filter)
	refusal, refused = err.(errors.ScimError)
	return refusal, refused
}
