package store

import "testing"

// TestAddrGroup: every per-address rule counts an IPv6 client per /64,
// whatever the form of its address; IPv4 (and IPv4-mapped IPv6) per address.
func TestAddrGroup(t *testing.T) {
	for _, tc := range []struct{ addr, want string }{
		{"203.0.113.7:1000", "203.0.113.7"},
		{"203.0.113.7", "203.0.113.7"},
		{"[::ffff:203.0.113.7]:80", "203.0.113.7"},
		{"[2001:db8:1:2::1]:1000", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2:ffff:ffff:ffff:ffff]:9", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:aaaa::5", "2001:db8:1:2::/64"},
		{"[fe80::1%eth0]:1000", "fe80::/64"},
		{"fe80::2%eth1", "fe80::/64"},
		{"not an address", "unknown"},
		{"", "unknown"},
	} {
		if got := AddrGroup(tc.addr); got != tc.want {
			t.Errorf("AddrGroup(%q) = %q, want %q", tc.addr, got, tc.want)
		}
	}
	if AddrKey("[2001:db8:1:2::1]:1") != AddrKey("2001:db8:1:2:9::9") || AddrKey("[2001:db8:1:2::1]:1") == AddrKey("2001:db8:1:3::1") {
		t.Error("AddrKey does not follow the /64")
	}
}
