package scim

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestRecordedPathAndType: a long path is cut on a character boundary, a secret-looking
// segment redacted; only a scimType made of letters is kept.
func TestRecordedPathAndType(t *testing.T) {
	long := "/Users/" + strings.Repeat("é", 300)
	if p := recordedPath(long); len(p) > maxActivityPath+len("…") || !utf8.ValidString(p) || !strings.HasSuffix(p, "…") {
		t.Fatalf("cut path: %d bytes %q", len(p), p)
	}
	if p := recordedPath("/Users/scim_" + strings.Repeat("a1B2", 10)); p != "/Users/scim_[redacted]" {
		t.Fatalf("redacted path: %q", p)
	}
	if p := recordedPath("/Users/\xff"); p != "[not UTF-8]" {
		t.Fatalf("bad bytes: %q", p)
	}
	for body, want := range map[string]string{
		`{"scimType":"invalidFilter","status":"400"}`:    "invalidFilter",
		`{"scimType":"<script>"}`:                        "",
		`{"scimType":"` + strings.Repeat("a", 41) + `"}`: "",
		`not json`: "",
		``:         "",
	} {
		if got := scimTypeOf([]byte(body)); got != want {
			t.Errorf("scimTypeOf(%s) = %q, want %q", body, got, want)
		}
	}
	if m := recordedMethod("BREW"); m != "OTHER" {
		t.Fatalf("method: %q", m)
	}
}

// TestPendingActivityIsBounded: past maxPendingActivity waiting requests, new ones are dropped
// and counted, never queued.
func TestPendingActivityIsBounded(t *testing.T) {
	s := &Service{}
	s.activity.armed = true // no timer: nothing writes the batch in this test
	for range maxPendingActivity + 3 {
		s.keep(&activity{orgID: "o", method: "GET", path: "/Users"})
	}
	s.keep(&activity{method: "GET", path: "/Users"})
	if n, d := len(s.activity.pending), s.activity.dropped; n != maxPendingActivity || d != 3 {
		t.Fatalf("%d waiting, %d dropped", n, d)
	}
}
