package peer

import (
	"context"
	"log/slog"
	"net"
	"strconv"

	"github.com/pion/stun/v4"
	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/agent/proxy"
)

// turnDialer returns the dialer pion's ICE agent takes for TURN over TCP and
// TLS, if servers have any: through the customer's proxy d when it serves
// them, else directly. Either way each dial ends with ctx (the Peer's
// lifetime) or after a timeout: pion's own dial has neither, so behind a
// firewall that drops TCP to a TURN port, closing the peer waited for the
// kernel to give up (about two minutes). pion adds no TLS of its own on
// such a connection, so the dialer completes the handshake with turns:
// servers itself (checked against the system's roots, by the URL's host
// name, as pion does).
func turnDialer(ctx context.Context, d *proxy.Dialer, servers []webrtc.ICEServer, log *slog.Logger) (proxy.TLS, bool) {
	if log == nil {
		log = slog.Default()
	}
	if d == nil {
		d, _ = proxy.New(proxy.Settings{URL: "direct"})
	}
	t := proxy.TLS{Dialer: d, Servers: map[string]string{}, Context: ctx}
	found := false
	for _, s := range servers {
		for _, raw := range s.URLs {
			u, err := stun.ParseURI(raw)
			if err != nil || u.Proto != stun.ProtoTypeTCP || (u.Scheme != stun.SchemeTypeTURN && u.Scheme != stun.SchemeTypeTURNS) {
				continue
			}
			found = true
			addr := net.JoinHostPort(u.Host, strconv.Itoa(u.Port))
			if u.Scheme == stun.SchemeTypeTURNS {
				t.Servers[addr] = u.Host
			}
			if p, err := d.For(addr); err == nil && p != nil {
				log.Info("peer: TURN through the proxy", "turn", raw, "proxy", p.Host)
			}
		}
	}
	return t, found
}
