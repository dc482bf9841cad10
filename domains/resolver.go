package domains

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// Resolver looks up the TXT records of a name. LookupTXT returns ErrNXDomain when the name does
// not exist and ErrNoRecords when it holds no TXT record; any other error is a failed lookup
// (timeout, server failure) that says nothing about the record.
type Resolver interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
}

// Lookup outcomes that are answers, not failures.
var (
	ErrNXDomain  = errors.New("the name does not exist (NXDOMAIN)")
	ErrNoRecords = errors.New("the name has no TXT records")
)

// NewResolver returns the system resolver for an empty address, or a resolver that asks the DNS
// server at addr ("host:port"; port 53 when omitted) directly, for tests and split-horizon DNS.
func NewResolver(addr string, timeout time.Duration) (Resolver, error) {
	if strings.TrimSpace(addr) == "" {
		return systemResolver{r: net.DefaultResolver}, nil
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		host, port = strings.Trim(addr, "[]"), "53"
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 || host == "" || strings.ContainsAny(host, "/ ") {
		return nil, fmt.Errorf("DNS resolver address %q must be host:port, such as 10.0.0.2:53", addr)
	}
	return &serverResolver{addr: net.JoinHostPort(host, port), timeout: timeout}, nil
}

// systemResolver asks the operating system's resolver. It cannot tell NXDOMAIN from an empty
// answer, so both come back as ErrNoRecords.
type systemResolver struct{ r *net.Resolver }

func (s systemResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	txt, err := s.r.LookupTXT(ctx, name)
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return nil, ErrNoRecords
	}
	if err != nil {
		return nil, err
	}
	if len(txt) == 0 {
		return nil, ErrNoRecords
	}
	return txt, nil
}

// serverResolver queries one DNS server with github.com/miekg/dns, over UDP and over TCP when
// the answer is truncated.
type serverResolver struct {
	addr    string
	timeout time.Duration
}

func (s *serverResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), dns.TypeTXT)
	m.RecursionDesired = true
	m.SetEdns0(4096, false)
	c := &dns.Client{Net: "udp", Timeout: s.timeout}
	in, _, err := c.ExchangeContext(ctx, m, s.addr)
	if err == nil && in.Truncated {
		c.Net = "tcp"
		in, _, err = c.ExchangeContext(ctx, m, s.addr)
	}
	if err != nil {
		return nil, err
	}
	switch in.Rcode {
	case dns.RcodeSuccess:
	case dns.RcodeNameError:
		return nil, ErrNXDomain
	default:
		return nil, &rcodeError{rcode: in.Rcode}
	}
	var out []string
	for _, rr := range in.Answer {
		if t, ok := rr.(*dns.TXT); ok {
			out = append(out, strings.Join(t.Txt, ""))
		}
	}
	if len(out) == 0 {
		return nil, ErrNoRecords
	}
	return out, nil
}

// rcodeError is a DNS server's refusal or failure to answer.
type rcodeError struct{ rcode int }

func (e *rcodeError) Error() string {
	return "the DNS server answered " + dns.RcodeToString[e.rcode]
}
