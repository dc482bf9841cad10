package provisioning_test

import (
	"strings"
	"testing"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/store/storetest"
)

// secretRun returns a run of 32 or more URL-safe base64 characters in s that is not a UUID,
// or "".
func secretRun(s string) string {
	isB64 := func(c byte) bool {
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
	}
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && isB64(s[j]) {
			j++
		}
		if run := s[i:j]; len(run) >= 32 && !isUUID(run) {
			return run
		}
		i = max(j, i+1)
	}
	return ""
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
		} else if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return false
		}
	}
	return true
}

// FuzzRedactPath: whatever the path, the redacted one holds no run of 32 or more URL-safe
// base64 characters that is not a UUID (no secret of ours survives), keeps the path's segments,
// changes nothing more when redacted again, and is the path itself when it held no such run.
func FuzzRedactPath(f *testing.F) {
	inv, _ := provisioning.NewSecret("inv_")
	bare, _ := provisioning.NewSecret("")
	id := provisioning.NewID()
	for _, seed := range []string{
		"/invitations/" + inv + "/accept", "/join/" + bare, "/api/v1/orgs/acme/members/" + id, "/x/" + id + bare,
		"/x/" + id + "." + bare, "/x/abc_" + bare + "?q=1", "/x/inv_" + bare[:31], "/x/" + strings.Repeat("a", 32),
		"/x/" + id[:35] + "g", "//" + inv + "//" + inv, "/sso/callback/" + bare + "/" + bare, "", "/", "inv_" + bare,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, path string) {
		got := provisioning.RedactPath(path)
		if run := secretRun(got); run != "" {
			t.Fatalf("RedactPath(%q) = %q keeps %q", path, got, run)
		}
		if strings.Count(got, "/") != strings.Count(path, "/") {
			t.Fatalf("RedactPath(%q) = %q changed the segments", path, got)
		}
		if again := provisioning.RedactPath(got); again != got {
			t.Fatalf("RedactPath(%q) = %q, again %q", path, got, again)
		}
		if secretRun(path) == "" && got != path {
			t.Fatalf("RedactPath(%q) = %q, but it held no secret", path, got)
		}
	})
}

// FuzzNormalizeEmail: a normalized email is lower-case, trimmed, at most 254 bytes, has a domain
// with a dot, and normalizes to itself (idempotent), as does the input upper-cased or padded
// with spaces; a refusal is an invalid-input error.
func FuzzNormalizeEmail(f *testing.F) {
	for _, seed := range []string{
		"ann@acme.com", " Ann@Acme.COM ", "ann", "@acme.com", "ann@acme", "ann@@acme.com", `"a b"@acme.com`,
		"Ann <ann@acme.com>", "ann@acme.com\x00", "ann@xn--bcher-kva.example", "ännä@bücher.example", "a@b.c\n",
		strings.Repeat("a", 243) + "@acme.com", strings.Repeat("a", 246) + "@acme.com", "\u212Aelvin@acme.com", "a@[127.0.0.1]",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := provisioning.NormalizeEmail(s)
		if err != nil {
			if !provisioning.IsCode(err, provisioning.CodeInvalid) {
				t.Fatalf("NormalizeEmail(%q): %v, want invalid", s, err)
			}
			return
		}
		if e != strings.ToLower(e) || e != strings.TrimSpace(e) || len(e) > 254 {
			t.Fatalf("NormalizeEmail(%q) = %q", s, e)
		}
		if d := provisioning.EmailDomain(e); !strings.Contains(d, ".") {
			t.Fatalf("NormalizeEmail(%q) = %q, domain %q", s, e, d)
		}
		for _, variant := range []string{e, asciiUpper(s), " " + s + "\t"} {
			if again, err := provisioning.NormalizeEmail(variant); err != nil || again != e {
				t.Fatalf("NormalizeEmail(%q) = %q, but NormalizeEmail(%q) = %q, %v", s, e, variant, again, err)
			}
		}
	})
}

func asciiUpper(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' {
			return r - 'a' + 'A'
		}
		return r
	}, s)
}

// FuzzAuthenticate: on every store, a bearer credential authenticates only when it is the
// operator key or a live member token; anything else is unauthorized, never another error.
func FuzzAuthenticate(f *testing.F) {
	type store struct {
		h        *storetest.Harness
		op, tok  string
		memberID string
	}
	var stores []store
	for _, b := range storetest.FuzzStores(f) {
		h := storetest.NewHarness(f, b.Open(f))
		org := h.CreateOrg("acme", -1, "owner@acme.com")
		op, _, err := h.Service.EnsureOperatorKey(h.Ctx, "")
		if err != nil {
			f.Fatal(err)
		}
		tok, err := h.Service.CreateToken(h.Ctx, h.MemberActor(org.Owner.Membership), org.Org.ID, "fuzz", provisioning.TokenLimits{})
		if err != nil {
			f.Fatal(err)
		}
		stores = append(stores, store{h: h, op: op, tok: tok.Secret, memberID: org.Owner.Membership.ID})
	}
	s0 := stores[0]
	for _, seed := range []string{s0.op, s0.tok, provisioning.TokenPrefix, s0.tok[:len(s0.tok)-1], s0.tok + "x", strings.ToUpper(s0.tok),
		" " + s0.tok, provisioning.OperatorKeyPrefix, "mwt_\x00", "mwt_\xff\xfe", "", "Bearer " + s0.tok, "scim_abc"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, bearer string) {
		for _, s := range stores {
			actor, err := s.h.Service.Authenticate(s.h.Ctx, bearer)
			switch bearer {
			case s.op:
				if err != nil || actor.Kind != provisioning.ActorOperator {
					t.Fatalf("the operator key: %+v %v", actor, err)
				}
			case s.tok:
				if err != nil || actor.ID != s.memberID {
					t.Fatalf("the member token: %+v %v", actor, err)
				}
			default:
				if !provisioning.IsCode(err, provisioning.CodeUnauthorized) {
					t.Fatalf("%q: %+v %v, want unauthorized", bearer, actor, err)
				}
			}
		}
	})
}
