package turn

import (
	"net"
	"net/netip"
)

// nonPublic are the ranges a relay never reaches unless Config.AllowPeers
// names them: this host, private networks (RFC 1918, CGNAT, ULA), link-local,
// multicast, broadcast and reserved ranges, and IPv6 forms a peer could use
// to name an address in them indirectly.
var nonPublic = prefixes(
	"0.0.0.0/8",      // "this network"
	"10.0.0.0/8",     // RFC 1918
	"100.64.0.0/10",  // CGNAT, RFC 6598
	"127.0.0.0/8",    // loopback
	"169.254.0.0/16", // link-local (cloud metadata)
	"172.16.0.0/12",  // RFC 1918
	"192.0.0.0/24",   // IETF protocol assignments
	"192.168.0.0/16", // RFC 1918
	"198.18.0.0/15",  // benchmarking
	"224.0.0.0/4",    // multicast
	"240.0.0.0/4",    // reserved, broadcast
	"::/96",          // unspecified, loopback, IPv4-compatible
	"64:ff9b:1::/48", // local-use NAT64
	"100::/64",       // discard-only
	"2001::/32",      // Teredo
	"fc00::/7",       // unique local (ULA)
	"fe80::/10",      // link-local
	"fec0::/10",      // site-local (deprecated)
	"ff00::/8",       // multicast
)

var (
	nat64  = netip.MustParsePrefix("64:ff9b::/96")
	sixto4 = netip.MustParsePrefix("2002::/16")
)

func prefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

// peerPolicy decides which peer addresses a relay may reach: public
// addresses that are not this server's own, and whatever AllowPeers names.
type peerPolicy struct {
	allow []netip.Prefix
	own   map[netip.Addr]bool
}

func newPeerPolicy(allow []netip.Prefix, own []netip.Addr) *peerPolicy {
	p := &peerPolicy{own: map[netip.Addr]bool{}}
	for _, a := range allow {
		p.allow = append(p.allow, netip.PrefixFrom(a.Addr().Unmap(), a.Bits()-unmapBits(a.Addr())).Masked())
	}
	for _, a := range own {
		p.own[a.Unmap()] = true
	}
	return p
}

// unmapBits is what a prefix length loses when its IPv4-mapped address is unmapped.
func unmapBits(a netip.Addr) int {
	if a.Is4In6() {
		return 96
	}
	return 0
}

// permits reports whether a relay may send to peer.
func (p *peerPolicy) permits(peer net.IP) bool {
	a, ok := netip.AddrFromSlice(peer)
	if !ok {
		return false
	}
	a = a.Unmap()
	if a.IsUnspecified() || a.IsMulticast() {
		return false
	}
	if p.allowed(a) {
		return true
	}
	return p.public(a)
}

// allowed reports whether AllowPeers names a.
func (p *peerPolicy) allowed(a netip.Addr) bool {
	for _, pre := range p.allow {
		if pre.Contains(a) {
			return true
		}
	}
	return false
}

// public reports whether a is neither this server's nor in a non-public
// range, looking at the IPv4 address inside NAT64 and 6to4 addresses too.
func (p *peerPolicy) public(a netip.Addr) bool {
	if p.own[a] {
		return false
	}
	for _, pre := range nonPublic {
		if pre.Contains(a) {
			return false
		}
	}
	if v4, ok := embeddedIPv4(a); ok {
		return p.public(v4)
	}
	return true
}

// embeddedIPv4 returns the IPv4 address a NAT64 or 6to4 address stands for.
func embeddedIPv4(a netip.Addr) (netip.Addr, bool) {
	b := a.As16()
	switch {
	case nat64.Contains(a):
		return netip.AddrFrom4([4]byte(b[12:16])), true
	case sixto4.Contains(a):
		return netip.AddrFrom4([4]byte(b[2:6])), true
	}
	return netip.Addr{}, false
}

// hostAddrs lists the addresses of this machine's interfaces.
func hostAddrs() []netip.Addr {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil
	}
	var out []netip.Addr
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok {
			if ip, ok := netip.AddrFromSlice(n.IP); ok {
				out = append(out, ip.Unmap())
			}
		}
	}
	return out
}
