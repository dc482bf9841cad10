package scim_test

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzResourceID: any text as a user's or group's id in the URL reads, replaces, patches or
// deletes that resource only when it is its id, and is otherwise 404 on every store (not the
// 400 Postgres would give for a NUL byte or invalid UTF-8); never a server error.
func FuzzResourceID(f *testing.F) {
	var targets []patchTarget
	for _, e := range fuzzEnvs(f) {
		targets = append(targets, newPatchTarget(e))
	}
	for _, seed := range []string{targets[0].uid, targets[0].gid, targets[0].uid + "x", "x", "\x00", "\xff\xfe", "a b", "..", "%2F", strings.Repeat("a", 300)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, id string) {
		for _, p := range targets {
			e := p.e.in(t)
			for _, res := range []struct{ path, own, doc string }{{"/Users/", p.uid, p.user}, {"/Groups/", p.gid, p.grp}} {
				if id == res.own || id == "" {
					continue
				}
				path := res.path + url.PathEscape(id)
				for _, req := range []struct{ method, body string }{{"GET", ""}, {"PUT", res.doc},
					{"PATCH", patchOp + `[{"op":"replace","path":"displayName","value":"x"}]}`}, {"DELETE", ""}} {
					r := e.do(req.method, path, req.body)
					if r.Status != 404 {
						t.Fatalf("%s %s: %d, want 404: %s", req.method, path, r.Status, r.Raw)
					}
				}
			}
		}
	})
}
