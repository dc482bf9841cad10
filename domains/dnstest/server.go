// Package dnstest runs a real DNS server on loopback for tests: it answers TXT questions from
// records the test sets and changes while it runs.
package dnstest

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/miekg/dns"
)

// Server is an authoritative-looking DNS server on 127.0.0.1 over UDP and TCP (same port).
// A name with records answers them; a name marked Exists without TXT records answers an empty
// NOERROR; any other name answers NXDOMAIN. Fail makes every answer SERVFAIL.
type Server struct {
	// Addr is host:port to use as the resolver address.
	Addr string

	mu      sync.Mutex
	txt     map[string][]string
	exists  map[string]bool
	fail    bool
	queries int
}

// Start runs a server until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	pc, ln, err := listenPair()
	if err != nil {
		t.Fatalf("dnstest: %v", err)
	}
	s := &Server{Addr: pc.LocalAddr().String(), txt: map[string][]string{}, exists: map[string]bool{}}
	for _, srv := range []*dns.Server{{PacketConn: pc, Handler: s}, {Listener: ln, Handler: s}} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		go func() { _ = srv.ActivateAndServe() }()
		<-started
		t.Cleanup(func() { _ = srv.Shutdown() })
	}
	return s
}

// listenPair listens on TCP and UDP on one free port. TCP goes first: loopback TCP ports are
// the busy ones (every database connection of parallel tests holds one), so the kernel's free
// TCP port is then tried for UDP, and another port is tried while that one is taken.
func listenPair() (net.PacketConn, net.Listener, error) {
	var err error
	for range 100 {
		var ln net.Listener
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			return nil, nil, fmt.Errorf("listen tcp: %w", err)
		}
		var pc net.PacketConn
		if pc, err = net.ListenPacket("udp", ln.Addr().String()); err == nil {
			return pc, ln, nil
		}
		ln.Close()
	}
	return nil, nil, fmt.Errorf("listen udp: %w", err)
}

func key(name string) string { return strings.ToLower(dns.Fqdn(name)) }

// SetTXT replaces the TXT records of name.
func (s *Server) SetTXT(name string, values ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.txt[key(name)] = values
}

// Delete removes name entirely, so it answers NXDOMAIN.
func (s *Server) Delete(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.txt, key(name))
	delete(s.exists, key(name))
}

// Exists makes name exist without TXT records (NOERROR, empty answer).
func (s *Server) Exists(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.txt, key(name))
	s.exists[key(name)] = true
}

// Fail makes the server answer SERVFAIL (true) or normally (false).
func (s *Server) Fail(fail bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = fail
}

// Queries counts the questions answered so far.
func (s *Server) Queries() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queries
}

// ServeDNS implements dns.Handler.
func (s *Server) ServeDNS(w dns.ResponseWriter, r *dns.Msg) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queries++
	m := new(dns.Msg)
	m.SetReply(r)
	m.Authoritative = true
	if s.fail || len(r.Question) != 1 {
		m.Rcode = dns.RcodeServerFailure
		_ = w.WriteMsg(m)
		return
	}
	q := r.Question[0]
	values, ok := s.txt[key(q.Name)]
	switch {
	case ok && q.Qtype == dns.TypeTXT:
		for _, v := range values {
			m.Answer = append(m.Answer, &dns.TXT{
				Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 60},
				Txt: split(v),
			})
		}
	case ok || s.exists[key(q.Name)]:
	default:
		m.Rcode = dns.RcodeNameError
	}
	_ = w.WriteMsg(m)
}

// split cuts a value into the 255-byte strings a TXT record holds.
func split(v string) []string {
	var out []string
	for len(v) > 255 {
		out, v = append(out, v[:255]), v[255:]
	}
	return append(out, v)
}

// Silent returns a UDP address that receives queries and never answers, for timeout tests.
func Silent(t testing.TB) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("dnstest: listen udp: %v", err)
	}
	t.Cleanup(func() { pc.Close() })
	return pc.LocalAddr().String()
}
