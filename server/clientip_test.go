package server

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestClientAddressBehindTrustedProxies(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32")}
	cases := []struct {
		name, peer string
		forwarded  []string
		want       string
	}{
		{"direct client, header ignored", "198.51.100.4:5000", []string{"203.0.113.9"}, "198.51.100.4:5000"},
		{"one proxy", "192.0.2.7:4000", []string{"203.0.113.9"}, "203.0.113.9:0"},
		{"client-sent entries on the left are not believed", "10.1.2.3:4000", []string{"6.6.6.6, 203.0.113.9"}, "203.0.113.9:0"},
		{"two proxies, two headers", "10.1.2.3:4000", []string{"203.0.113.9", "10.9.9.9"}, "203.0.113.9:0"},
		{"IPv6 client", "10.1.2.3:4000", []string{"2001:db8::1"}, "[2001:db8::1]:0"},
		{"trusted proxy without header", "10.1.2.3:4000", nil, "10.1.2.3:4000"},
		{"garbage hop", "10.1.2.3:4000", []string{"203.0.113.9, not-an-ip"}, "10.1.2.3:4000"},
		{"every hop trusted", "10.1.2.3:4000", []string{"10.4.4.4"}, "10.1.2.3:4000"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var seen string
			h := clientAddress(trusted)(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { seen = r.RemoteAddr }))
			req := httptest.NewRequest("GET", "/", nil)
			req.RemoteAddr = c.peer
			for _, v := range c.forwarded {
				req.Header.Add("X-Forwarded-For", v)
			}
			h.ServeHTTP(httptest.NewRecorder(), req)
			if seen != c.want {
				t.Fatalf("RemoteAddr = %q, want %q", seen, c.want)
			}
		})
	}
}
