package scim_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rollcall/rollcall/scim"
	"github.com/rollcall/rollcall/store/storetest"
)

// fuzzEnvs is one env per store a fuzz target runs its inputs against.
func fuzzEnvs(f *testing.F) []*env {
	var out []*env
	for _, b := range storetest.FuzzStores(f) {
		out = append(out, newEnvTB(f, b, -1, scim.Options{RateLimitPerMinute: -1}))
	}
	return out
}

// in is the env answering through t, for use inside a fuzz function.
func (e *env) in(t *testing.T) *env {
	c := *e
	c.t = t
	return &c
}

// checkStored: the resource at path reads back (200), keeps the bounds, and the schema takes it
// again as a PUT: a write never leaves a resource that could not be written as it reads.
func (e *env) checkStored(path, after string) {
	e.t.Helper()
	r := e.want(e.do("GET", path, ""), 200, after+": GET "+path)
	if where := outOfBounds(r.Body, ""); where != "" {
		e.t.Fatalf("after %s, %s is out of bounds: %s", after, where, r.Raw)
	}
	e.want(e.do("PUT", path, r.Raw), 200, after+": PUT back "+path)
}

// outOfBounds names a list of more than DefaultMaxValues values, or a bounded string longer
// than MaxStringLength, in a rendered resource ("" when there is none).
func outOfBounds(v any, path string) string {
	switch v := v.(type) {
	case []any:
		if len(v) > scim.DefaultMaxValues && path != ".members" {
			return path
		}
		for _, x := range v {
			if where := outOfBounds(x, path); where != "" {
				return where
			}
		}
	case map[string]any:
		for k, x := range v {
			if where := outOfBounds(x, path+"."+k); where != "" {
				return where
			}
		}
	case string:
		switch path {
		case ".userName", ".externalId", ".displayName", ".name.givenName", ".name.familyName", ".emails.value", ".emails.type":
			if utf8.RuneCountInString(v) > scim.MaxStringLength {
				return path
			}
		}
	}
	return ""
}

// wantNoServerError fails on a 5xx and on an error that is not a SCIM error document.
func (e *env) wantNoServerError(r resp, what string) {
	e.t.Helper()
	if r.Status >= 500 {
		e.t.Fatalf("%s: %d %s", what, r.Status, r.Raw)
	}
	if r.Status >= 400 && r.str("status") == "" {
		e.t.Fatalf("%s: %d without a SCIM error: %s", what, r.Status, r.Raw)
	}
}

func (e *env) total(res string) int {
	n, _ := e.do("GET", res+"?count=0", "").get("totalResults").(float64)
	return int(n)
}

// FuzzCreateUser: any POST /Users body is answered without a server error; a created user reads
// back within the bounds and the schema takes it again as a PUT; a refused one writes nothing.
func FuzzCreateUser(f *testing.F) {
	for _, seed := range []string{
		userBody("ann@acme.com"), userBody("ANN@acme.com"), userBody("not an email"),
		`{"schemas":["` + coreUser + `","` + enterprise + `"],"userName":"bob@acme.com","name":{"givenName":"Bob","familyName":"Lee"},
			"emails":[{"value":"bob@acme.com","type":"work","primary":true}],"phoneNumbers":[{"value":"+1","type":"work"}],
			"` + enterprise + `":{"department":"R&D","manager":{"value":"x"}},"urn:example:own":{"tags":["a","b"]},"password":"p"}`,
		`{"schemas":["` + coreUser + `"],"userName":"upn","emails":[{"value":"c@acme.com"}],"active":"False"}`,
		`{"schemas":["` + coreUser + `"],"userName":"d\u0000@acme.com"}`, `{"schemas":["` + coreUser + `"],"userName":"e@acme.com","externalId":"\u0000"}`,
		`{"schemas":["` + coreUser + `"],"userName":"f@acme.com","displayName":"` + strings.Repeat("é", 257) + `"}`,
		`{"schemas":["` + coreUser + `"],"userName":"g@acme.com","emails":[` + strings.Repeat(`{"value":"x"},`, 100) + `{"value":"y"}]}`,
		`{"schemas":["` + coreUser + `"],"userName":"h@acme.com","id":"mine","meta":{"version":"W/\"9\""},"groups":[{"value":"g"}]}`,
		`{"schemas":["` + coreUser + `"],"userName":"i@acme.com","name":"flat"}`, `{"schemas":["` + coreUser + `"],"userName":7}`,
		`[]`, `{`, `null`, ``,
	} {
		f.Add([]byte(seed))
	}
	envs := fuzzEnvs(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, e := range envs {
			e := e.in(t)
			before := e.total("/Users")
			r := e.do("POST", "/Users", string(body))
			e.wantNoServerError(r, "POST /Users")
			if r.Status != 201 {
				if n := e.total("/Users"); n != before {
					t.Fatalf("refused (%d) but users %d → %d: %s", r.Status, before, n, r.Raw)
				}
				continue
			}
			id := r.str("id")
			e.checkStored("/Users/"+id, "POST "+string(body))
			e.want(e.do("DELETE", "/Users/"+id, ""), 204, "delete")
		}
	})
}

// patchTarget is the user and group a PATCH fuzz input is applied to, reset before each input.
type patchTarget struct {
	e          *env
	uid, gid   string
	user, grp  string
	userBefore string
}

func newPatchTarget(e *env) patchTarget {
	p := patchTarget{e: e}
	p.user = `{"schemas":["` + coreUser + `","` + enterprise + `"],"userName":"ann@acme.com","externalId":"x1","displayName":"Ann",
		"name":{"givenName":"Ann","familyName":"Lee"},"active":true,
		"emails":[{"value":"ann@acme.com","type":"work","primary":true},{"value":"a@home.example","type":"home"}],
		"phoneNumbers":[{"value":"+1 555","type":"work"}],"` + enterprise + `":{"department":"R&D","manager":{"value":"boss"}}}`
	p.uid = e.want(e.do("POST", "/Users", p.user), 201, "user").str("id")
	p.grp = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Admins","externalId":"g1","members":[{"value":"` + p.uid + `"}]}`
	p.gid = e.want(e.do("POST", "/Groups", p.grp), 201, "group").str("id")
	return p
}

// FuzzPatch: any PATCH body, on a user or a group, is answered without a server error; an
// accepted one leaves a resource that reads back within the bounds and that the schema takes
// again as a PUT (PATCH never leaves what the schema refuses); a refused one changes nothing.
func FuzzPatch(f *testing.F) {
	ops := []string{
		`[{"op":"Replace","path":"active","value":"True"},{"op":"Add","path":"name.familyName","value":"Lee-Smith"}]`,
		`[{"op":"Replace","value":{"active":"False","displayName":"Ann L.","name.givenName":"Annie"}}]`,
		`[{"op":"Replace","path":"emails[type eq \"work\"].value","value":"ann2@acme.com"}]`,
		`[{"op":"Replace","path":"emails[type eq \"work\"].primary","value":"False"}]`,
		`[{"op":"add","path":"emails[type eq \"other\"].value","value":"o@acme.com"}]`,
		`[{"op":"remove","path":"emails[value eq \"a@home.example\"]"}]`, `[{"op":"remove","path":"emails"}]`,
		`[{"op":"add","path":"emails","value":[{"value":"x@acme.com","type":"home"}]}]`,
		`[{"op":"Add","path":"` + enterprise + `:manager","value":"boss2"}]`,
		`[{"op":"Replace","value":{"` + enterprise + `":{"department":"Ops"}}}]`,
		`[{"op":"replace","path":"userName","value":"ann.lee@acme.com"}]`, `[{"op":"remove","path":"userName"}]`,
		`[{"op":"replace","path":"name","value":{"familyName":"Smith"}}]`, `[{"op":"remove","path":"name.givenName"}]`,
		`[{"op":"add","path":"members","value":[{"value":"{uid}"}]}]`, `[{"op":"Remove","path":"members","value":[{"value":"{uid}"}]}]`,
		`[{"op":"remove","path":"members[value eq \"{uid}\"]"}]`, `[{"op":"remove","path":"members"}]`,
		`[{"op":"Replace","path":"displayName","value":"Sales"},{"op":"Add","path":"members","value":[{"value":"nobody"}]}]`,
		`[{"op":"replace","value":{"displayName":"x","members":[{"value":"{uid}"}]}}]`,
		`[{"op":"add","path":"phoneNumbers","value":[` + strings.Repeat(`{"value":"1"},`, 99) + `{"value":"2"}]}]`,
		`[{"op":"replace","path":"displayName","value":"\u0000"}]`, `[{"op":"replace","path":"externalId","value":"` + strings.Repeat("x", 257) + `"}]`,
		`[]`, `[{"op":"frobnicate","path":"active","value":true}]`, `[{"op":"replace","path":"nosuch","value":1}]`,
	}
	for _, op := range ops {
		for _, group := range []bool{false, true} {
			f.Add([]byte(patchOp+op+"}"), group)
		}
	}
	f.Add([]byte(`{"Operations":null}`), false)
	f.Add([]byte(`{`), true)
	var targets []patchTarget
	for _, e := range fuzzEnvs(f) {
		targets = append(targets, newPatchTarget(e))
	}
	f.Fuzz(func(t *testing.T, body []byte, group bool) {
		for _, p := range targets {
			e := p.e.in(t)
			path, doc := "/Users/"+p.uid, p.user
			if group {
				path, doc = "/Groups/"+p.gid, p.grp
			}
			e.want(e.do("PUT", path, doc), 200, "reset")
			version := e.do("GET", path, "").str("meta.version")
			r := e.do("PATCH", path, strings.ReplaceAll(string(body), "{uid}", p.uid))
			e.wantNoServerError(r, "PATCH "+path)
			if r.Status >= 300 {
				if v := e.do("GET", path, "").str("meta.version"); v != version {
					t.Fatalf("refused (%d) but the version went %s → %s: %s", r.Status, version, v, r.Raw)
				}
				continue
			}
			e.checkStored(path, "PATCH "+string(body))
		}
	})
}
