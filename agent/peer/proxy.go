package peer

import (
	"log/slog"
	"net"
	"strconv"

	"github.com/pion/stun/v4"
	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/agent/proxy"
)

// iceProxy returns the dialer pion's ICE agent takes TURN over TCP and TLS
// through when the customer's proxy serves one of those TURN servers. pion
// adds no TLS of its own on a proxied connection, so the dialer completes
// the handshake with turns: servers itself (checked against the system's
// roots, by the URL's host name, as pion does without a proxy).
func iceProxy(d *proxy.Dialer, servers []webrtc.ICEServer, log *slog.Logger) (proxy.TLS, bool) {
	if d == nil {
		return proxy.TLS{}, false
	}
	if log == nil {
		log = slog.Default()
	}
	t := proxy.TLS{Dialer: d, Servers: map[string]string{}}
	proxied := false
	for _, s := range servers {
		for _, raw := range s.URLs {
			u, err := stun.ParseURI(raw)
			if err != nil || u.Proto != stun.ProtoTypeTCP || (u.Scheme != stun.SchemeTypeTURN && u.Scheme != stun.SchemeTypeTURNS) {
				continue
			}
			addr := net.JoinHostPort(u.Host, strconv.Itoa(u.Port))
			// Once the dialer is set pion dials every TCP TURN server with
			// it, proxied or not: each turns: server needs its TLS.
			if u.Scheme == stun.SchemeTypeTURNS {
				t.Servers[addr] = u.Host
			}
			p, err := d.For(addr)
			if err != nil || p == nil {
				continue
			}
			proxied = true
			log.Info("peer: TURN through the proxy", "turn", raw, "proxy", p.Host)
		}
	}
	return t, proxied
}
