package sso

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// Limits of the fetch client.
const (
	fetchTimeout  = 10 * time.Second
	maxFetchBody  = 1 << 20
	maxRedirects  = 3
	dialTimeout   = 5 * time.Second
	headerTimeout = 10 * time.Second
)

// errFetchTooLarge ends a response body longer than maxFetchBody.
var errFetchTooLarge = errors.New("response body larger than 1 MB")

// fetchRules shape the fetch client. allowPrivate (the operator's development setting) allows
// plain http and every address; roots and exempt exist for tests (a trusted test CA, and one
// loopback listener treated as a public address).
type fetchRules struct {
	allowPrivate bool
	roots        *x509.CertPool
	exempt       netip.AddrPort
}

// blockedError is a connection the fetch rules refused before it was made.
type blockedError struct{ addr string }

func (e *blockedError) Error() string {
	return "refused to connect to " + e.addr + ": not a public address (see --sso-allow-private-fetch)"
}

// newFetchClient is the one HTTP client for every request Rollcall makes because of an org
// admin's settings: IdP metadata, OIDC discovery, keys, tokens and userinfo. It speaks only
// https and connects only to public addresses, checked on the resolved address of every
// connection (redirects and DNS rebinding included); it follows at most maxRedirects
// redirects, gives up after fetchTimeout, cuts bodies at maxFetchBody and uses no proxy (a
// proxy would hide the address it connects to).
func newFetchClient(r fetchRules) *http.Client {
	dialer := &net.Dialer{Timeout: dialTimeout, Control: r.control}
	transport := &http.Transport{
		DialContext:           dialer.DialContext,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: r.roots},
		TLSHandshakeTimeout:   dialTimeout,
		ResponseHeaderTimeout: headerTimeout,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          20,
		IdleConnTimeout:       90 * time.Second,
	}
	return &http.Client{
		Timeout:   fetchTimeout,
		Transport: &fetchTransport{rules: r, next: transport},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > maxRedirects {
				return fmt.Errorf("stopped after %d redirects", maxRedirects)
			}
			return r.checkScheme(req.URL.Scheme)
		},
	}
}

// fetchTransport enforces the scheme on every request (redirects included) and the body limit.
type fetchTransport struct {
	rules fetchRules
	next  http.RoundTripper
}

// RoundTrip sends req when its scheme is allowed, with the response body cut at maxFetchBody.
func (t *fetchTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.rules.checkScheme(req.URL.Scheme); err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, err
	}
	res, err := t.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	res.Body = &limitedBody{ReadCloser: res.Body, left: maxFetchBody}
	return res, nil
}

func (r fetchRules) checkScheme(scheme string) error {
	if scheme == "https" || (scheme == "http" && r.allowPrivate) {
		return nil
	}
	return fmt.Errorf("refused the %s scheme: only https (see --sso-allow-private-fetch)", scheme)
}

// control runs on every connection after DNS resolution and before connecting: it refuses
// addresses that are not public.
func (r fetchRules) control(network, address string, _ syscall.RawConn) error {
	if r.allowPrivate {
		return nil
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil || (network != "tcp4" && network != "tcp6") {
		return &blockedError{addr: address}
	}
	if r.exempt.IsValid() && ap == r.exempt {
		return nil
	}
	if !publicAddr(ap.Addr()) {
		return &blockedError{addr: address}
	}
	return nil
}

// limitedBody fails a read past its limit instead of truncating silently.
type limitedBody struct {
	io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		var one [1]byte
		n, err := b.ReadCloser.Read(one[:])
		if n > 0 {
			return 0, errFetchTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	return n, err
}

// unreachable is the answer to any failed fetch: one text whatever went wrong (refused
// address, closed port, timeout, HTTP error, oversized or unreadable answer), so that the
// answer tells nothing about what listens where. The cause goes to the server log only.
func (s *Service) unreachable(ctx context.Context, what, where string, cause error) string {
	s.logger.WarnContext(ctx, "sso: fetch failed", "what", what, "url", where, "err", firstLine(fmt.Sprint(cause)))
	return fmt.Sprintf("Rollcall could not fetch %s from %s.", what, where)
}
