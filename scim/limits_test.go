package scim_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/rollcall/rollcall/scim"
	"github.com/rollcall/rollcall/store/storetest"
)

// orTerms is a filter of n comparisons of attr joined by or.
func orTerms(attr string, n int) string {
	terms := make([]string, n)
	for i := range terms {
		terms[i] = attr + ` eq "a"`
	}
	return strings.Join(terms, " or ")
}

// nested is a filter of one comparison of attr inside n pairs of parentheses.
func nested(attr string, n int) string { return inParens(n, attr+` eq "a"`) }

func inParens(n int, filter string) string {
	return strings.Repeat("(", n) + filter + strings.Repeat(")", n)
}

// sized is a valid filter on attr of exactly n bytes.
func sized(attr string, n int) string {
	head := attr + ` eq "`
	return head + strings.Repeat("a", n-len(head)-1) + `"`
}

// search is a POST /.search body with the filter.
func search(filter string) string {
	b, _ := json.Marshal(map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:SearchRequest"}, "filter": filter})
	return string(b)
}

func tooLong(f string) string {
	return fmt.Sprintf("the filter is %d bytes long; at most %d", len(f), scim.DefaultMaxFilterLength)
}

const tooDeep = "the filter nests parentheses and brackets 11 deep; at most 10"

// filterLimitCase is one limit: a filter just under it (accepted; "" for none) and one over it,
// with the detail of the refusal; entra marks Entra's value-path form, which only GET takes.
type filterLimitCase struct {
	name, under, over, detail string
	entra                     bool
}

func filterLimitCases(attr string) []filterLimitCase {
	const vp = `emails[type eq "work"]`
	cases := []filterLimitCase{
		{name: "length", under: sized(attr, scim.DefaultMaxFilterLength), over: sized(attr, scim.DefaultMaxFilterLength+1)},
		{name: "terms", under: orTerms(attr, scim.DefaultMaxFilterTerms), over: orTerms(attr, scim.DefaultMaxFilterTerms+1), detail: "the filter has 51 terms; at most 50"},
		{name: "depth", under: nested(attr, scim.DefaultMaxFilterDepth), over: nested(attr, scim.DefaultMaxFilterDepth+1), detail: tooDeep},
		{name: "998 terms", over: orTerms(attr, 998)},
		{name: "20,000 terms", over: orTerms(attr, 20000)},
		{name: "100,000 parentheses", over: nested(attr, 100000)},
	}
	if attr == "userName" {
		cases = append(cases,
			filterLimitCase{name: "value path depth", under: inParens(9, attr+` eq "a" and `+vp), over: inParens(10, attr+` eq "a" and `+vp), detail: tooDeep},
			filterLimitCase{name: "entra terms", under: orTerms(attr, 48) + " or " + vp + `.value eq "a"`,
				over: orTerms(attr, 49) + " or " + vp + `.value eq "a"`, detail: "the filter has 51 terms; at most 50", entra: true})
	}
	for i, c := range cases {
		if c.detail == "" {
			cases[i].detail = tooLong(c.over)
		}
	}
	return cases
}

// TestFilterLimits: each filter limit, just under (accepted) and just over (400 invalidFilter
// naming the limit), on GET lists and POST /.search, for users and groups; the shapes measured
// from outside (998 and 20,000 or terms, 100,000 nested parentheses, which overflowed the
// parser's stack and ended the process) are refused at once.
func TestFilterLimits(t *testing.T) {
	each(t, func(t *testing.T, b storetest.Backend) {
		e := newEnv(t, b, -1, scim.Options{})
		for res, attr := range map[string]string{"/Users": "userName", "/Groups": "displayName"} {
			for _, c := range filterLimitCases(attr) {
				what := c.name + " " + res
				if c.under != "" {
					e.want(e.do("GET", res+"?filter="+url.QueryEscape(c.under), ""), 200, what+" under, GET")
					if !c.entra {
						e.want(e.do("POST", res+"/.search", search(c.under)), 200, what+" under, POST /.search")
					}
				}
				e.wantLimit(e.do("GET", res+"?filter="+url.QueryEscape(c.over), ""), c.detail, what+" over, GET")
				if !c.entra {
					e.wantLimit(e.do("POST", res+"/.search", search(c.over)), c.detail, what+" over, POST /.search")
				}
			}
		}
	})
}

// TestFilterLimitOptions: the limits are the Options'.
func TestFilterLimitOptions(t *testing.T) {
	e := newEnv(t, storetest.Backends()[0], -1, scim.Options{MaxFilterLength: 40, MaxFilterTerms: 2, MaxFilterDepth: 1})
	e.want(e.do("GET", "/Users?filter="+url.QueryEscape(orTerms("userName", 2)), ""), 200, "2 terms")
	e.wantLimit(e.do("GET", "/Users?filter="+url.QueryEscape(orTerms("userName", 3)), ""), "the filter is 53 bytes long; at most 40", "length")
	e.wantLimit(e.do("POST", "/Users/.search", search(`(userName pr) or (userName pr) or userName pr`)), "the filter is 45 bytes long; at most 40", "search length")
	e.wantLimit(e.do("POST", "/Users/.search", search(`title pr or title pr or title pr`)), "the filter has 3 terms; at most 2", "search terms")
	e.wantLimit(e.do("GET", "/Users?filter="+url.QueryEscape(nested("userName", 2)), ""), "the filter nests parentheses and brackets 2 deep; at most 1", "depth")
}

// wantLimit checks a refused filter: 400 invalidFilter with the detail.
func (e *env) wantLimit(r resp, detail, what string) {
	e.t.Helper()
	e.wantDetail(r, "invalidFilter", detail, what)
}
