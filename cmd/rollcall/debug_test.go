package main

import (
	"regexp"
	"testing"
	"time"
)

var profilesServed = regexp.MustCompile(`msg="profiles served" addr=([0-9.:]+)`)

// TestDebugAddrServesProfilesApart: --debug-addr serves pprof on its own listener, and the
// public listener never does.
func TestDebugAddrServesProfilesApart(t *testing.T) {
	s := startServe(t, nil, "--data-dir", t.TempDir(), "--debug-addr", "127.0.0.1:0")
	defer s.cancel()
	var addr string
	for deadline := time.Now().Add(10 * time.Second); addr == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := profilesServed.FindStringSubmatch(s.stderr.String()); m != nil {
			addr = m[1]
		}
	}
	if addr == "" {
		t.Fatalf("no profiles listener logged: %s", s.stderr.String())
	}
	if code, body := httpGet(t, "http://"+addr+"/debug/pprof/goroutine?debug=1"); code != 200 || !regexp.MustCompile(`goroutine profile: total \d+`).MatchString(body) {
		t.Fatalf("debug listener: %d %.200s", code, body)
	}
	if code, _ := httpGet(t, s.url+"/debug/pprof/"); code != 404 {
		t.Fatalf("public listener serves /debug/pprof/: %d", code)
	}
}
