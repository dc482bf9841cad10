package provisioning

import (
	"net/netip"
	"time"
)

// FixedWindow returns the fixed window of length window that contains now, as HitRateLimit
// counts hits: windows are consecutive multiples of window since the zero time, in UTC. A limit
// counted in it lets requests through again at end.
func FixedWindow(now time.Time, window time.Duration) (start, end time.Time) {
	start = now.UTC().Truncate(window)
	return start, start.Add(window)
}

// ClientKey is the client a per-client limit counts a request against, from its IP address
// (without port): an IPv4 address as it is, an IPv6 address as its /64 network (a single
// subscriber or LAN gets a whole /64 and may pick any address in it), an IPv4-mapped IPv6
// address as the IPv4 address. Anything that is not an IP address is returned unchanged.
func ClientKey(ip string) string {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	addr = addr.Unmap().WithZone("")
	if addr.Is4() {
		return addr.String()
	}
	return netip.PrefixFrom(addr, 64).Masked().String()
}
