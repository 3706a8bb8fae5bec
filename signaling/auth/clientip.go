package auth

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Proxies are the peers trusted to say whose request they forward: the
// TLS-terminating proxy in front of the nodes (--trusted-proxy). From any
// other peer X-Forwarded-For and Forwarded are ignored, since a client can
// write them.
type Proxies []netip.Prefix

// ParseProxy parses a --trusted-proxy value: a CIDR ("10.0.0.0/8") or one
// address ("192.0.2.7").
func ParseProxy(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	if a, err := netip.ParseAddr(s); err == nil {
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	return netip.Prefix{}, fmt.Errorf("%w: %q", ErrBadProxy, s)
}

func (ps Proxies) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Client returns the address of the client behind r: the peer's own, unless
// the peer is a trusted proxy; then the forwarding header is read from the
// right (the hop the proxy added) to the left, skipping trusted proxies, and
// the first address that is not one is the client's. Forwarded (RFC 7239) is read
// when present, else X-Forwarded-For; a hop that does not parse stops the
// walk at the last trusted address.
func (ps Proxies) Client(r *http.Request) netip.Addr {
	peer, ok := parseHop(r.RemoteAddr)
	if !ok || !ps.trusted(peer) {
		return peer
	}
	hops := forwardedHops(r.Header)
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHop(hops[i])
		if !ok {
			return client
		}
		client = a
		if !ps.trusted(a) {
			return a
		}
	}
	return client
}

// Handler makes r.RemoteAddr the client's address (Client, with port 0) for
// next, so that every handler, rate limit and audit entry sees the client and
// not the proxy. Without trusted proxies it changes nothing.
func (ps Proxies) Handler(next http.Handler) http.Handler {
	if len(ps) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if peer, ok := parseHop(r.RemoteAddr); ok && ps.trusted(peer) {
			if c := ps.Client(r); c != peer {
				r2 := *r
				r2.RemoteAddr = netip.AddrPortFrom(c, 0).String()
				r = &r2
			}
		}
		next.ServeHTTP(w, r)
	})
}

// forwardedHops lists the for= addresses of Forwarded (RFC 7239, every
// header, in order), or of X-Forwarded-For when there is no Forwarded: the
// standard header is preferred when a proxy sends both.
func forwardedHops(h http.Header) []string {
	var hops []string
	if fwd := h.Values("Forwarded"); len(fwd) > 0 {
		for _, v := range fwd {
			for _, elem := range strings.Split(v, ",") {
				hop := "" // an element without for= is a hop we cannot read
				for _, pair := range strings.Split(elem, ";") {
					k, val, _ := strings.Cut(strings.TrimSpace(pair), "=")
					if strings.EqualFold(k, "for") {
						hop = strings.Trim(val, `"`)
					}
				}
				hops = append(hops, hop)
			}
		}
		return hops
	}
	for _, v := range h.Values("X-Forwarded-For") {
		for _, hop := range strings.Split(v, ",") {
			hops = append(hops, strings.TrimSpace(hop))
		}
	}
	return hops
}

// parseHop reads "1.2.3.4", "1.2.3.4:80", "[2001:db8::1]:80" or "2001:db8::1".
func parseHop(s string) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	if a, err := netip.ParseAddr(strings.Trim(s, "[]")); err == nil && a.Zone() == "" {
		return a.Unmap(), true
	}
	return netip.Addr{}, false
}

// ClientIP is the address a request came from, without the port: the
// client's own behind a trusted proxy (see Proxies.Handler).
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
