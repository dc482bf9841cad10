package provisioning

import (
	"testing"
	"time"
)

func TestClientKey(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.7":                  "192.0.2.7",
		"::ffff:192.0.2.7":           "192.0.2.7",
		"2001:db8:1:2:3:4:5:6":       "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1":       "2001:db8:1:2::/64",
		"2001:DB8:1:2::9":            "2001:db8:1:2::/64",
		"fe80::1%eth0":               "fe80::/64",
		"2001:db8:1:3::1":            "2001:db8:1:3::/64",
		"::1":                        "::/64",
		"not an address":             "not an address",
		"192.0.2.7:443":              "192.0.2.7:443",
		"2001:db8:1:2:aaaa:bbbb::cc": "2001:db8:1:2::/64",
	} {
		if got := ClientKey(in); got != want {
			t.Errorf("ClientKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFixedWindow(t *testing.T) {
	now := time.Date(2030, 1, 1, 10, 7, 30, 0, time.FixedZone("x", 3600))
	start, end := FixedWindow(now, 15*time.Minute)
	if want := time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC); !start.Equal(want) || end.Sub(start) != 15*time.Minute {
		t.Fatalf("window %s–%s, want from %s", start, end, want)
	}
}
