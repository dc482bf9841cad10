package main

import (
	"context"
	"io"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rollcall/rollcall/store/storetest"
)

// TestServeWaitsForTheDatabase: serve started while Postgres cannot be reached retries, logging
// each attempt, and starts once it answers; with nothing ever answering it gives up after
// --database-wait with one line saying why.
func TestServeWaitsForTheDatabase(t *testing.T) {
	dbURL := storetest.PostgresURL(t)
	u, _ := url.Parse(dbURL)
	real := u.Host
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u.Host = ln.Addr().String()
	ln.Close()
	go func() {
		time.Sleep(1500 * time.Millisecond)
		forward(t, u.Host, real)
	}()
	s := startServe(t, map[string]string{"ROLLCALL_DATABASE_URL": u.String(), "ROLLCALL_DATABASE_WAIT": "30s"})
	defer func() { s.cancel(); <-s.code }()
	if !strings.Contains(s.stderr.String(), "database not reachable yet; retrying") {
		t.Fatalf("serve did not say it was waiting:\n%s", s.stderr.String())
	}
	if code, _ := httpGet(t, s.url+"/readyz"); code != 200 {
		t.Fatalf("readyz after the database came: %d", code)
	}

	var out, errOut syncBuffer
	start := time.Now()
	code := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0"}, envFrom(map[string]string{
		"ROLLCALL_DATABASE_URL": "postgres://postgres@127.0.0.1:1/none?sslmode=disable", "ROLLCALL_DATABASE_WAIT": "2s"}),
		strings.NewReader(""), &out, &errOut)
	if code == 0 || time.Since(start) < 2*time.Second || !strings.Contains(errOut.String(), "database not reachable (after") {
		t.Fatalf("serve without a database: exit %d after %s:\n%s", code, time.Since(start), errOut.String())
	}
}

// forward accepts connections on addr and pipes each to target until the test ends.
func forward(t *testing.T, addr, target string) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Errorf("forwarder: %v", err)
		return
	}
	t.Cleanup(func() { ln.Close() })
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			up, err := net.Dial("tcp", target)
			if err != nil {
				return
			}
			defer up.Close()
			go func() { _, _ = io.Copy(up, c) }()
			_, _ = io.Copy(c, up)
		}()
	}
}
