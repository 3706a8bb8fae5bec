package turn

import (
	"net"
	"net/netip"
	"sync"

	pturn "github.com/pion/turn/v5"
)

// relays hands out the relay sockets of the embedded server and keeps track
// of them by session, so that the relays of an ended session can be closed
// and a relay sending to the server's own relay address reaches only relays.
type relays struct {
	inner    pturn.RelayAddressGenerator
	tcp      bool           // RFC 6062 TCP relays allowed
	relayIP  netip.Addr     // the address relays are reached at
	policy   *peerPolicy    // AllowPeers lifts the relay-port rule
	registry *relayRegistry // shared by every listener
}

// relayRegistry is every live relay socket of the server, by session.
type relayRegistry struct {
	mu        sync.Mutex
	bySession map[string]map[*relayConn]bool
	ports     map[int]int // UDP port → number of live relays on it
}

func newRelayRegistry() *relayRegistry {
	return &relayRegistry{bySession: map[string]map[*relayConn]bool{}, ports: map[int]int{}}
}

func (r *relayRegistry) add(c *relayConn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.bySession[c.sid] == nil {
		r.bySession[c.sid] = map[*relayConn]bool{}
	}
	r.bySession[c.sid][c] = true
	r.ports[c.port]++
}

func (r *relayRegistry) remove(c *relayConn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.bySession[c.sid][c] {
		return
	}
	delete(r.bySession[c.sid], c)
	if len(r.bySession[c.sid]) == 0 {
		delete(r.bySession, c.sid)
	}
	if r.ports[c.port]--; r.ports[c.port] <= 0 {
		delete(r.ports, c.port)
	}
}

// isRelayPort reports whether a live relay listens on UDP port.
func (r *relayRegistry) isRelayPort(port int) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ports[port] > 0
}

// sessions lists the sessions that hold relays.
func (r *relayRegistry) sessions() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.bySession))
	for sid := range r.bySession {
		out = append(out, sid)
	}
	return out
}

// closeSession closes the relays of sid; pion/turn then deletes their allocations.
func (r *relayRegistry) closeSession(sid string) int {
	r.mu.Lock()
	conns := make([]*relayConn, 0, len(r.bySession[sid]))
	for c := range r.bySession[sid] {
		conns = append(conns, c)
	}
	r.mu.Unlock()
	for _, c := range conns {
		_ = c.Close()
	}
	return len(conns)
}

// Validate implements pturn.RelayAddressGenerator.
func (g *relays) Validate() error { return g.inner.Validate() }

// AllocatePacketConn opens a UDP relay for the session the client authenticated as.
func (g *relays) AllocatePacketConn(conf pturn.AllocateListenerConfig) (net.PacketConn, net.Addr, error) {
	conn, addr, err := g.inner.AllocatePacketConn(conf)
	if err != nil {
		return nil, nil, err
	}
	c := &relayConn{PacketConn: conn, sid: conf.UserID, g: g}
	if ua, ok := conn.LocalAddr().(*net.UDPAddr); ok {
		c.port = ua.Port
	}
	g.registry.add(c)
	return c, addr, nil
}

// AllocateListener opens an RFC 6062 TCP relay, if allowed.
func (g *relays) AllocateListener(conf pturn.AllocateListenerConfig) (net.Listener, net.Addr, error) {
	if !g.tcp {
		return nil, nil, ErrTCPRelayOff
	}
	return g.inner.AllocateListener(conf)
}

// AllocateConn connects a TCP relay to a peer, if allowed; never to the
// server's own relay address (permissions let that through for UDP relays only).
func (g *relays) AllocateConn(conf pturn.AllocateConnConfig) (net.Conn, error) {
	if !g.tcp {
		return nil, ErrTCPRelayOff
	}
	if ta, ok := conf.RemoteAddr.(*net.TCPAddr); ok {
		if a, ok := netip.AddrFromSlice(ta.IP); ok && a.Unmap() == g.relayIP && !g.policy.allowed(g.relayIP) {
			return nil, ErrPeerRefused
		}
	}
	return g.inner.AllocateConn(conf)
}

// relayConn is one UDP relay socket. Sends to the server's own relay address
// reach other relays only (two peers both relayed through this server), never
// another service of the server.
type relayConn struct {
	net.PacketConn
	sid  string
	port int
	g    *relays
	once sync.Once
}

// WriteTo sends p to addr, silently dropping it when addr is the server's
// relay address at a port no relay listens on.
func (c *relayConn) WriteTo(p []byte, addr net.Addr) (int, error) {
	if ua, ok := addr.(*net.UDPAddr); ok {
		if a, ok := netip.AddrFromSlice(ua.IP); ok && a.Unmap() == c.g.relayIP &&
			!c.g.policy.allowed(c.g.relayIP) && !c.g.registry.isRelayPort(ua.Port) {
			return len(p), nil
		}
	}
	return c.PacketConn.WriteTo(p, addr)
}

// Close closes the socket and forgets it.
func (c *relayConn) Close() error {
	c.once.Do(func() { c.g.registry.remove(c) })
	return c.PacketConn.Close()
}
