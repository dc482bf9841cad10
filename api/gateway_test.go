package api_test

import (
	"testing"
	"time"
)

func TestIntrospectOverHTTP(t *testing.T) {
	e := newEnv(t)
	f := e.fixture(20)
	created := e.do(f.tokens["member"], "POST", "/orgs/"+f.slug+"/tokens", map[string]any{"name": "gw", "rateLimitPerMinute": 1})
	if created.Status != 201 {
		t.Fatalf("create: %d %s", created.Status, created.Raw)
	}
	secret := created.Body["token"].(map[string]any)["secret"].(string)
	first := e.do(e.op, "POST", "/introspect", map[string]string{"token": secret})
	if first.Status != 200 || first.Body["active"] != true || first.Header.Get("X-RateLimit-Remaining") != "0" {
		t.Fatalf("first: %d %s", first.Status, first.Raw)
	}
	second := e.do(e.op, "POST", "/introspect", map[string]string{"token": secret})
	rl := second.Body["rateLimit"].(map[string]any)
	if rl["allowed"] != false || second.Header.Get("Retry-After") != "60" || rl["exceeded"] != "minute" {
		t.Fatalf("second call at the same instant: %s %v, want Retry-After 60 (the first leaves the window then)", second.Raw, second.Header)
	}
	e.h.Clock.Advance(59*time.Second + 200*time.Millisecond)
	if third := e.do(e.op, "POST", "/introspect", map[string]string{"token": secret}); third.Header.Get("Retry-After") != "1" {
		t.Fatalf("0.8 s before the reset: Retry-After %q, want 1", third.Header.Get("Retry-After"))
	}
	e.h.Clock.Advance(800 * time.Millisecond)
	if fourth := e.do(e.op, "POST", "/introspect", map[string]string{"token": secret}); fourth.Body["rateLimit"].(map[string]any)["allowed"] != true {
		t.Fatalf("at the reset Retry-After announced: %s", fourth.Raw)
	}
	if res := e.do(f.tokens["owner"], "POST", "/introspect", map[string]string{"token": secret}); res.Status != 403 {
		t.Fatalf("members may not introspect: %d", res.Status)
	}
	if res := e.do(e.op, "POST", "/introspect", map[string]string{"token": "mwt_nope"}); res.Status != 200 || res.Body["active"] != false {
		t.Fatalf("unknown token: %d %s", res.Status, res.Raw)
	}
	if res := e.do(e.op, "POST", "/orgs/"+f.slug+"/tokens", map[string]any{"name": "x", "dailyLimit": 0}); res.Status != 400 || res.errCode() != "invalid" {
		t.Fatalf("bad limit: %d %s", res.Status, res.Raw)
	}
}
