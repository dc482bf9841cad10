package scim_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/rollcall/rollcall/scim"
	"github.com/rollcall/rollcall/store/storetest"
)

const coreUser = "urn:ietf:params:scim:schemas:core:2.0:User"

// multiValued are the User attributes a document may repeat, each with one value's shape.
var multiValued = map[string]func(i int) any{
	"emails":       func(i int) any { return map[string]any{"value": fmt.Sprintf("m%d@acme.com", i), "type": "work"} },
	"phoneNumbers": func(i int) any { return map[string]any{"value": fmt.Sprintf("+1 555 %04d", i), "type": "work"} },
	"addresses":    func(i int) any { return map[string]any{"streetAddress": fmt.Sprintf("%d Main St", i), "type": "work"} },
	"ims":          func(i int) any { return map[string]any{"value": fmt.Sprintf("im%d", i), "type": "xmpp"} },
	"photos": func(i int) any {
		return map[string]any{"value": fmt.Sprintf("https://acme.com/%d.png", i), "type": "photo"}
	},
	"entitlements": func(i int) any { return map[string]any{"value": fmt.Sprintf("e%d", i)} },
	"roles":        func(i int) any { return map[string]any{"value": fmt.Sprintf("r%d", i)} },
	"x509Certificates": func(i int) any {
		return map[string]any{"value": base64.StdEncoding.EncodeToString(fmt.Appendf(nil, "cert %d", i))}
	},
}

func values(attr string, n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = multiValued[attr](i)
	}
	return out
}

// userDoc is a User body for userName with the extra attributes.
func userDoc(userName string, extra map[string]any) string {
	d := map[string]any{"schemas": []string{coreUser}, "userName": userName}
	for k, v := range extra {
		d[k] = v
	}
	b, _ := json.Marshal(d)
	return string(b)
}

// TestMultiValuedBounds: each multi-valued User attribute takes 100 values and refuses 101 with
// 400 invalidValue naming it, on POST, PUT and PATCH (a PATCH add onto a full list too); a
// refused request writes nothing. 9,363 emails, a 500 on Postgres before, are refused as well.
func TestMultiValuedBounds(t *testing.T) {
	each(t, func(t *testing.T, b storetest.Backend) {
		e := newEnv(t, b, -1, scim.Options{})
		full := map[string]any{}
		for attr := range multiValued {
			full[attr] = values(attr, scim.DefaultMaxValues)
		}
		uid := e.want(e.do("POST", "/Users", userDoc("full@acme.com", full)), 201, "100 of each").str("id")
		u0, g0, a0 := e.counts()
		version := e.do("GET", "/Users/"+uid, "").str("meta.version")
		for attr := range multiValued {
			detail := attr + " has 101 values; at most 100"
			over := map[string]any{attr: values(attr, scim.DefaultMaxValues+1)}
			e.wantDetail(e.do("POST", "/Users", userDoc("new@acme.com", over)), "invalidValue", detail, "POST "+attr)
			e.wantDetail(e.do("PUT", "/Users/"+uid, userDoc("full@acme.com", over)), "invalidValue", detail, "PUT "+attr)
			extra, _ := json.Marshal(multiValued[attr](1000))
			e.wantDetail(e.do("PATCH", "/Users/"+uid, patchOp+`[{"op":"add","path":"`+attr+`","value":[`+string(extra)+`]}]}`),
				"invalidValue", detail, "PATCH add "+attr)
			rep, _ := json.Marshal(over[attr])
			e.wantDetail(e.do("PATCH", "/Users/"+uid, patchOp+`[{"op":"replace","value":{"`+attr+`":`+string(rep)+`}}]}`),
				"invalidValue", detail, "PATCH replace "+attr)
		}
		e.wantDetail(e.do("POST", "/Users", userDoc("many@acme.com", map[string]any{"emails": values("emails", 9363)})),
			"invalidValue", "emails has 9363 values; at most 100", "9,363 emails")
		e.wantDetail(e.do("POST", "/Users", userDoc("own@acme.com", map[string]any{"urn:example:ext": map[string]any{"tags": make([]any, 101)}})),
			"invalidValue", "urn:example:ext:tags has 101 values; at most 100", "an IdP's own list")
		if u, g, a := e.counts(); u != u0 || g != g0 || a != a0 {
			t.Fatalf("refused requests wrote: users %d→%d groups %d→%d audit %d→%d", u0, u, g0, g, a0, a)
		}
		r := e.do("GET", "/Users/"+uid, "")
		if r.str("meta.version") != version || len(r.get("emails").([]any)) != scim.DefaultMaxValues {
			t.Fatalf("the user changed: %s", r.Raw[:min(len(r.Raw), 300)])
		}
		e.want(e.do("PATCH", "/Users/"+uid, patchOp+`[{"op":"remove","path":"emails[value eq \"m0@acme.com\"]"},
			{"op":"add","path":"emails","value":[{"value":"last@acme.com"}]}]}`), 200, "remove one, add one: 100")
		other := e.want(e.do("POST", "/Users", userBody("other@acme.com")), 201, "other").str("id")
		members := make([]string, 0, 150)
		for range 150 {
			members = append(members, `{"value":"`+other+`"}`)
		}
		e.want(e.do("POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Big",
			"members":[`+strings.Join(members, ",")+`]}`), 201, "members are not bounded by MaxValues")
	})
}

// TestStringBounds: the strings kept in columns of their own take 256 characters (multi-byte
// ones too) and refuse 257 with 400 invalidValue naming the attribute; nothing is written.
func TestStringBounds(t *testing.T) {
	each(t, func(t *testing.T, b storetest.Backend) {
		e := newEnv(t, b, -1, scim.Options{})
		at := func(n int) string { return strings.Repeat("é", n) }
		long := func(n int) string { return strings.Repeat("a", n-len("@acme.com")) + "@acme.com" }
		full := map[string]any{"externalId": at(256), "displayName": at(256),
			"name":   map[string]any{"givenName": at(256), "familyName": at(256)},
			"emails": []any{map[string]any{"value": long(256), "type": at(256)}, map[string]any{"value": "full@acme.com", "primary": true}}}
		uid := e.want(e.do("POST", "/Users", userDoc(at(256), full)), 201, "256 characters each").str("id")
		gid := e.want(e.do("POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],
			"displayName":"`+at(256)+`","externalId":"`+at(256)+`"}`), 201, "group, 256 characters each").str("id")
		u0, g0, a0 := e.counts()
		userCases := map[string]map[string]any{
			"externalId":      {"externalId": at(257)},
			"displayName":     {"displayName": at(257)},
			"name.givenName":  {"name": map[string]any{"givenName": at(257)}},
			"name.familyName": {"name": map[string]any{"familyName": at(257)}},
			"emails.value":    {"emails": []any{map[string]any{"value": long(257)}}},
			"emails.type":     {"emails": []any{map[string]any{"value": "x@acme.com", "type": at(257)}}},
		}
		for attr, over := range userCases {
			detail := attr + " is 257 characters long; at most 256"
			e.wantDetail(e.do("POST", "/Users", userDoc("new@acme.com", over)), "invalidValue", detail, "POST "+attr)
			e.wantDetail(e.do("PUT", "/Users/"+uid, userDoc("new@acme.com", over)), "invalidValue", detail, "PUT "+attr)
			v, _ := json.Marshal(over)
			e.wantDetail(e.do("PATCH", "/Users/"+uid, patchOp+`[{"op":"replace","value":`+string(v)+`}]}`), "invalidValue", detail, "PATCH "+attr)
		}
		userName := "userName is 257 characters long; at most 256"
		e.wantDetail(e.do("POST", "/Users", userDoc(at(257), map[string]any{"emails": []any{map[string]any{"value": "x@acme.com"}}})), "invalidValue", userName, "POST userName")
		e.wantDetail(e.do("PATCH", "/Users/"+uid, patchOp+`[{"op":"replace","path":"userName","value":"`+at(257)+`"}]}`), "invalidValue", userName, "PATCH userName")
		for _, attr := range []string{"displayName", "externalId"} {
			detail := attr + " is 257 characters long; at most 256"
			e.wantDetail(e.do("POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"G","`+attr+`":"`+at(257)+`"}`),
				"invalidValue", detail, "POST group "+attr)
			e.wantDetail(e.do("PATCH", "/Groups/"+gid, patchOp+`[{"op":"replace","path":"`+attr+`","value":"`+at(257)+`"}]}`),
				"invalidValue", detail, "PATCH group "+attr)
		}
		if u, g, a := e.counts(); u != u0 || g != g0 || a != a0 {
			t.Fatalf("refused requests wrote: users %d→%d groups %d→%d audit %d→%d", u0, u, g0, g, a0, a)
		}
	})
}

// wantDetail checks a SCIM error: 400, the scimType and the detail.
func (e *env) wantDetail(r resp, scimType, detail, what string) {
	e.t.Helper()
	e.wantError(r, 400, scimType, what)
	if got := r.str("detail"); got != detail {
		e.t.Fatalf("%s: detail %q, want %q", what, got, detail)
	}
}
