package sso

import (
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
)

func TestPublicAddr(t *testing.T) {
	refused := []string{"127.0.0.1", "127.8.9.10", "::1", "10.0.0.1", "172.16.0.1", "192.168.1.1", "fc00::1", "fd12::1",
		"169.254.169.254", "169.254.0.1", "fe80::1", "0.0.0.0", "::", "0.1.2.3", "224.0.0.1", "239.1.1.1", "ff02::1",
		"100.64.0.1", "100.127.255.254", "192.0.2.1", "198.18.0.1", "240.0.0.1", "255.255.255.255", "2001:db8::1",
		"::ffff:10.0.0.1", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "64:ff9b::a00:1", "64:ff9b::7f00:1", "2002:a00:1::1", "fec0::1"}
	public := []string{"93.184.216.34", "8.8.8.8", "100.128.0.1", "172.32.0.1", "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"}
	for _, s := range refused {
		if publicAddr(netip.MustParseAddr(s)) {
			t.Errorf("%s counts as public", s)
		}
	}
	for _, s := range public {
		if !publicAddr(netip.MustParseAddr(s)) {
			t.Errorf("%s does not count as public", s)
		}
	}
}

// TestFetchControlRefusesBeforeConnecting calls the dial hook as the dialer does, after
// resolution and before connect: nothing is sent anywhere.
func TestFetchControlRefusesBeforeConnecting(t *testing.T) {
	strict := fetchRules{}
	for _, addr := range []string{"10.0.0.1:443", "169.254.169.254:80", "[fd00::1]:443", "[::ffff:10.0.0.1]:443", "100.64.0.1:443", "[fe80::1%eth0]:443"} {
		var blocked *blockedError
		if err := strict.control("tcp4", addr, nil); !errors.As(err, &blocked) {
			t.Errorf("%s: %v, want a refusal", addr, err)
		}
		if err := (fetchRules{allowPrivate: true}).control("tcp4", addr, nil); err != nil {
			t.Errorf("%s with private fetches allowed: %v", addr, err)
		}
	}
	if err := strict.control("tcp4", "93.184.216.34:443", nil); err != nil {
		t.Errorf("a public address: %v", err)
	}
	if err := strict.control("udp4", "93.184.216.34:443", nil); err == nil {
		t.Error("a non-TCP network must be refused")
	}
}

// counted is a test server that counts the connections it accepted.
type counted struct {
	*httptest.Server
	conns atomic.Int32
}

func newCounted(t *testing.T, tls bool, h http.HandlerFunc) *counted {
	t.Helper()
	c := &counted{Server: httptest.NewUnstartedServer(h)}
	c.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			c.conns.Add(1)
		}
	}
	if tls {
		c.StartTLS()
	} else {
		c.Start()
	}
	t.Cleanup(c.Close)
	return c
}

func roots(s *httptest.Server) *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(s.Certificate())
	return p
}

func fetch(c *http.Client, url string) ([]byte, error) {
	res, err := c.Get(url)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// TestFetchRefusesLoopback: by default neither https nor http reaches a loopback listener; the
// listener sees no connection at all.
func TestFetchRefusesLoopback(t *testing.T) {
	secure := newCounted(t, true, func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") })
	plain := newCounted(t, false, func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") })
	c := newFetchClient(fetchRules{roots: roots(secure.Server)})
	var blocked *blockedError
	if _, err := fetch(c, secure.URL); !errors.As(err, &blocked) {
		t.Fatalf("https to loopback: %v, want a refused address", err)
	}
	if _, err := fetch(c, plain.URL); err == nil || !strings.Contains(err.Error(), "only https") {
		t.Fatalf("http to loopback: %v, want a refused scheme", err)
	}
	if n := secure.conns.Load() + plain.conns.Load(); n != 0 {
		t.Fatalf("%d connections reached the loopback listeners", n)
	}
}

// TestFetchRedirectsAreChecked: a public https URL (a loopback listener the rules exempt) that
// redirects to loopback, over https or http, is refused before connecting; redirects are limited.
func TestFetchRedirectsAreChecked(t *testing.T) {
	inner := newCounted(t, true, func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "internal") })
	innerPlain := newCounted(t, false, func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "internal") })
	var hops atomic.Int32
	var public *counted
	public = newCounted(t, true, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/to-https":
			http.Redirect(w, r, inner.URL, http.StatusFound)
		case "/to-http":
			http.Redirect(w, r, innerPlain.URL, http.StatusFound)
		case "/loop":
			hops.Add(1)
			http.Redirect(w, r, public.URL+"/loop", http.StatusFound)
		default:
			_, _ = io.WriteString(w, "public")
		}
	})
	c := newFetchClient(fetchRules{roots: roots(public.Server), exempt: netip.MustParseAddrPort(public.Listener.Addr().String())})
	if body, err := fetch(c, public.URL); err != nil || string(body) != "public" {
		t.Fatalf("the exempt listener stands for a public server: %q %v", body, err)
	}
	var blocked *blockedError
	if _, err := fetch(c, public.URL+"/to-https"); !errors.As(err, &blocked) {
		t.Fatalf("redirect to https loopback: %v, want a refused address", err)
	}
	if _, err := fetch(c, public.URL+"/to-http"); err == nil || !strings.Contains(err.Error(), "only https") {
		t.Fatalf("redirect to http loopback: %v, want a refused scheme", err)
	}
	if n := inner.conns.Load() + innerPlain.conns.Load(); n != 0 {
		t.Fatalf("%d connections reached the loopback listeners", n)
	}
	if _, err := fetch(c, public.URL+"/loop"); err == nil || !strings.Contains(err.Error(), "redirects") || hops.Load() != maxRedirects+1 {
		t.Fatalf("redirect loop: %v after %d requests, want a stop after %d", err, hops.Load(), maxRedirects+1)
	}
}

// TestFetchAllowPrivate: the operator's setting reaches loopback over http; bodies stay limited.
func TestFetchAllowPrivate(t *testing.T) {
	big := strings.Repeat("x", maxFetchBody)
	srv := newCounted(t, false, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/big" {
			_, _ = io.WriteString(w, big+"!")
			return
		}
		_, _ = io.WriteString(w, big)
	})
	c := newFetchClient(fetchRules{allowPrivate: true})
	if body, err := fetch(c, srv.URL); err != nil || len(body) != maxFetchBody {
		t.Fatalf("a body of exactly the limit: %d bytes, %v", len(body), err)
	}
	if _, err := fetch(c, srv.URL+"/big"); !errors.Is(err, errFetchTooLarge) {
		t.Fatalf("a body over the limit: %v", err)
	}
}
