package scim

import (
	"context"
	"encoding/json"
	stderrors "errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/elimity-com/scim/errors"
	"github.com/scim2/filter-parser/v2"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/store/storetest"
)

// filterStore is one real store with a directory user (two emails) in a group, for fuzz
// inputs to run their SQL against.
type filterStore struct {
	name  string
	svc   *Service
	orgID string
}

func openFilterStores(f *testing.F) []filterStore {
	var out []filterStore
	for _, b := range storetest.FuzzStores(f) {
		h := storetest.NewHarness(f, b.Open(f))
		org := h.CreateOrg("fuzz", -1, "owner@acme.com")
		svc := New(h.Service, Options{})
		tok, err := svc.CreateToken(h.Ctx, h.MemberActor(org.Owner.Membership), org.Org.ID, "fuzz")
		if err != nil {
			f.Fatal(err)
		}
		handler := NewHandler(svc)
		send := func(body, path string) string {
			req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+tok.Secret)
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, req)
			if rec.Code != http.StatusCreated {
				f.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
			}
			d := copyDocument(rec.Body.Bytes())
			return d.str("id")
		}
		uid := send(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ann@acme.com","externalId":"x1",
			"displayName":"Ann","name":{"givenName":"Ann","familyName":"Lee"},
			"emails":[{"value":"ann@acme.com","type":"work","primary":true},{"value":"a@home.example","type":"home"}]}`, "/Users")
		send(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Admins","externalId":"g1",
			"members":[{"value":"`+uid+`"}]}`, "/Groups")
		out = append(out, filterStore{name: b.Name, svc: svc, orgID: org.Org.ID})
	}
	return out
}

// FuzzFilter: any text given as a list filter, within the limits, is either refused with 400
// invalidFilter or translated to SQL that runs on every store without an error other than the
// store's own invalid (an attribute it cannot filter on, a NUL byte Postgres refuses). What is
// translated round-trips: printed back as a filter (formatFilter), it parses and translates to
// the same. And any text, as a filter's string, comes back as the string it is (JSON). Parsing
// and SQL take seconds at most (the parser backtracks; a blow-up would show here).
func FuzzFilter(f *testing.F) {
	for _, seed := range []string{
		`userName eq "ann@acme.com"`, `externalId eq "x1"`, `emails[type eq "work"].value eq "ann@acme.com"`,
		`emails[type eq "work" or type eq "home"].value co "]x"`, `displayName eq "Admins"`, `members[value eq "x"]`,
		`members.value eq "x"`, `meta.lastModified gt "2026-01-01T00:00:00Z"`, `meta.created le "2026-01-01T00:00:00.5+02:00"`,
		`active eq true`, `active ne false`, `not (userName sw "a")`, `name.givenName co "%_\\"`, `emails.primary eq true`,
		`userName pr`, `id eq "x" or externalId ne "y"`, `urn:ietf:params:scim:schemas:core:2.0:User:userName eq "a"`,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "x"`, `title eq 1`, `active eq "true"`,
		`meta.created ge 5`, `userName eq null`, "userName eq \"\x00\"", `userName eq "\u0000"`, "displayName eq \"\xff\xfe\"",
		`emails[value pr]`, `(userName eq "a" and (displayName co "b" or name.familyName ew "c")) and not (active eq false)`,
		`userName eq "a\"b"`, `userName eq "\u00e9\ud83d\ude00"`, `userName eq "\q"`, `userName eq "\ud800"`,
		`emails[type eq "work"] and emails[type eq "home"].value eq "x"`, `userName Eq "A"`, `emails[not(type eq "work")]`,
		`meta.lastModified gt "not a time"`, `emails[primary eq "x"]`, `displayName gt "a"`, `userName eq 1.5e3`,
	} {
		f.Add(seed)
	}
	stores := openFilterStores(f)
	limits := filterLimits{length: DefaultMaxFilterLength, terms: DefaultMaxFilterTerms, depth: DefaultMaxFilterDepth}
	f.Fuzz(func(t *testing.T, raw string) {
		checkStringRoundTrip(t, raw)
		for _, rt := range []resourceSchemas{userType, groupType} {
			start := time.Now()
			df, err := listFilter(raw, limits, rt)
			if d := time.Since(start); d > 3*time.Second {
				t.Fatalf("%q took %v to parse", raw, d)
			}
			if err != nil {
				var se errors.ScimError
				if !stderrors.As(err, &se) || se.Status != http.StatusBadRequest || se.ScimType != errors.ScimTypeInvalidFilter {
					t.Fatalf("%q: refused with %v, want 400 invalidFilter", raw, err)
				}
				continue
			}
			if printed, ok := formatFilter(df); ok {
				again, err := listFilter(printed, filterLimits{length: 1 << 20, terms: 1 << 20, depth: 1 << 20}, rt)
				if err != nil || !reflect.DeepEqual(again, df) {
					t.Fatalf("%q translates to %s, printed %q, which translates to %s (%v)", raw, dump(df), printed, dump(again), err)
				}
			}
			for _, s := range stores {
				start := time.Now()
				err := s.run(rt, df)
				if d := time.Since(start); d > 5*time.Second {
					t.Fatalf("%s: %q (as %s) took %v in SQL", s.name, raw, dump(df), d)
				}
				if err != nil && !provisioning.IsCode(err, provisioning.CodeInvalid) {
					t.Fatalf("%s: %q (as %s) fails in SQL: %v", s.name, raw, dump(df), err)
				}
			}
		}
	})
}

// checkStringRoundTrip: s, written as a JSON string in a filter, is compared as s (invalid
// UTF-8 becomes U+FFFD, as JSON decoding has it).
func checkStringRoundTrip(t *testing.T, s string) {
	quoted, _ := json.Marshal(s)
	var want string
	_ = json.Unmarshal(quoted, &want)
	e, err := parseFilter(`userName eq ` + string(quoted))
	if err != nil {
		t.Fatalf("userName eq %s: %v", quoted, err)
	}
	if got := e.(*filter.AttributeExpression).CompareValue; got != want {
		t.Fatalf("userName eq %s compares with %q, want %q", quoted, got, want)
	}
}

func dump(df *provisioning.DirectoryFilter) string {
	b, _ := json.Marshal(df)
	return string(b)
}

// formatFilter prints a translated filter as SCIM filter text, strings as JSON. ok is false for
// the trees the filter grammar cannot write: a value filter (inside [...]) allows no
// parentheses, so only a comparison, not(comparison) or two comparisons joined fit there.
func formatFilter(df *provisioning.DirectoryFilter) (string, bool) {
	switch df.Op {
	case "and", "or":
		l, lok := formatFilter(df.Left)
		r, rok := formatFilter(df.Right)
		return "(" + l + ") " + df.Op + " (" + r + ")", lok && rok
	case "not":
		inner, ok := formatFilter(df.Left)
		return "not (" + inner + ")", ok
	case "each":
		inner, ok := formatValueFilter(df.Left)
		return df.Each + "[" + inner + "]", ok
	case "cmp":
		return formatCompare(df), true
	}
	return "", false
}

func formatValueFilter(df *provisioning.DirectoryFilter) (string, bool) {
	switch {
	case df.Op == "cmp":
		return formatCompare(df), true
	case df.Op == "not" && df.Left.Op == "cmp":
		return "not(" + formatCompare(df.Left) + ")", true
	case (df.Op == "and" || df.Op == "or") && df.Left.Op == "cmp" && df.Right.Op == "cmp":
		return formatCompare(df.Left) + " " + df.Op + " " + formatCompare(df.Right), true
	}
	return "", false
}

func formatCompare(df *provisioning.DirectoryFilter) string {
	s := df.Attr + " " + df.Cmp
	switch v := df.Value.(type) {
	case nil:
		if df.Cmp != "pr" {
			s += " null"
		}
	case string:
		b, _ := json.Marshal(v)
		s += " " + string(b)
	case float64:
		s += " " + strconv.FormatFloat(v, 'e', -1, 64)
	default:
		s += fmt.Sprintf(" %v", v)
	}
	return s
}

// run lists the store's users or groups with the filter.
func (s filterStore) run(t resourceSchemas, df *provisioning.DirectoryFilter) error {
	ctx := context.Background()
	q := provisioning.DirectoryQuery{OrgID: s.orgID, Filter: df, Limit: 10}
	return s.svc.door().View(ctx, func(tx provisioning.DirectoryTxn) error {
		var err error
		if t.core.ID == userType.core.ID {
			_, _, err = tx.ListDirectoryUsers(ctx, q)
		} else {
			_, _, err = tx.ListDirectoryGroups(ctx, q)
		}
		return err
	})
}
