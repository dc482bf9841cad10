package server

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// clientAddress rewrites r.RemoteAddr to the client's address when the request came through one
// of the trusted proxies: the rightmost X-Forwarded-For entry that is not itself a trusted proxy
// (entries further left are whatever the client chose to send). Requests from any other peer
// keep their address and their X-Forwarded-For is ignored, so clients cannot pick the address
// that rate limits and audit logs see.
func clientAddress(trusted []netip.Prefix) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		if len(trusted) == 0 {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if peer, ok := addrOf(r.RemoteAddr); ok && isTrusted(trusted, peer) {
				if client, ok := forwardedClient(trusted, r.Header.Values("X-Forwarded-For")); ok {
					r.RemoteAddr = net.JoinHostPort(client.String(), "0")
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

// forwardedClient walks the X-Forwarded-For hops from the right and returns the first one that
// is not a trusted proxy.
func forwardedClient(trusted []netip.Prefix, headers []string) (netip.Addr, bool) {
	var hops []string
	for _, h := range headers {
		hops = append(hops, strings.Split(h, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		addr, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return netip.Addr{}, false
		}
		addr = addr.Unmap()
		if !isTrusted(trusted, addr) {
			return addr, true
		}
	}
	return netip.Addr{}, false
}

func addrOf(remote string) (netip.Addr, bool) {
	ap, err := netip.ParseAddrPort(remote)
	if err != nil {
		return netip.Addr{}, false
	}
	return ap.Addr().Unmap(), true
}

func isTrusted(trusted []netip.Prefix, a netip.Addr) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientHost is the client's address without the port, for logs.
func clientHost(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}
