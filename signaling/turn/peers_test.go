package turn

import (
	"context"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	pturn "github.com/pion/turn/v5"

	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/session"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// sessionStore is a real store on an embedded JetStream holding one live
// session, sid.
func sessionStore(t *testing.T, sid string) *store.Store {
	t.Helper()
	nc, err := nats.Connect(natstest.Server(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	st, err := store.Open(context.Background(), nc, store.Config{LoginTTL: time.Hour, InviteTTL: time.Hour, PINTTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := st.CreateSession(context.Background(), store.Session{ID: sid, TechnicianID: "tech", State: session.Connecting, Created: now, Changed: now}); err != nil {
		t.Fatal(err)
	}
	return st
}

// serverAddr is the host:port of the embedded server's turn: URL for transport.
func serverAddr(t *testing.T, s *Server, transport string) string {
	t.Helper()
	for _, u := range s.urls {
		if strings.HasPrefix(u, "turn:") && strings.HasSuffix(u, "transport="+transport) {
			pu, err := url.Parse(strings.Replace(u, "turn:", "turn://", 1))
			if err != nil {
				t.Fatal(err)
			}
			return pu.Host
		}
	}
	t.Fatalf("no turn URL for %s in %v", transport, s.urls)
	return ""
}

// turnClient is a TURN client over UDP with the credentials s hands to the
// peers of session sid.
func turnClient(t *testing.T, s *Server, sid string) *pturn.Client {
	t.Helper()
	ice := s.ICEServers(sid)[1]
	conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := serverAddr(t, s, "udp")
	c, err := pturn.NewClient(&pturn.ClientConfig{STUNServerAddr: addr, TURNServerAddr: addr, Conn: conn,
		Username: ice.Username, Password: ice.Credential.(string), Realm: Realm, RTO: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(); conn.Close() })
	if err := c.Listen(); err != nil {
		t.Fatal(err)
	}
	return c
}

// An allocation with real credentials may not open a path to private
// networks or to the server itself: CreatePermission is refused for each
// private range (and the IPv4-mapped forms), and for every address of this
// machine, but granted to a public address and to the peer --turn-allow-peer names.
func TestTURNRefusesPrivatePeers(t *testing.T) {
	st := sessionStore(t, "sid-p")
	s := start(t, Config{
		RelayIP:    net.ParseIP("203.0.113.50"),
		AllowPeers: []netip.Prefix{netip.MustParsePrefix("10.9.8.7/32")},
		Sessions:   st,
	})
	c := turnClient(t, s, "sid-p")
	if _, err := c.Allocate(); err != nil {
		t.Fatalf("allocate: %v", err)
	}
	refused := []string{
		"10.0.0.1", "10.255.255.254", "172.16.0.1", "172.31.255.254", "192.168.1.1",
		"100.64.0.1", "100.127.255.254", "127.0.0.1", "127.1.2.3", "169.254.169.254",
		"0.0.0.0", "0.1.2.3", "224.0.0.1", "255.255.255.255", "198.18.0.1", "240.0.0.1",
		"::ffff:10.0.0.1", "::ffff:192.168.0.1", "::ffff:127.0.0.1", "::ffff:100.64.0.1",
		"10.9.8.6", // next to the allowed peer
	}
	// Every address of this machine, but for the allowed one.
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil {
			refused = append(refused, n.IP.String())
		}
	}
	for _, ip := range refused {
		if err := c.CreatePermission(&net.UDPAddr{IP: net.ParseIP(ip), Port: 9}); err == nil {
			t.Errorf("permission to %s granted", ip)
		}
	}
	for _, ip := range []string{"10.9.8.7", "198.51.100.7", "8.8.8.8"} {
		if err := c.CreatePermission(&net.UDPAddr{IP: net.ParseIP(ip), Port: 9}); err != nil {
			t.Errorf("permission to %s refused: %v", ip, err)
		}
	}
}

// The peer address policy, for the forms a client can send that the IPv4
// allocation above cannot (IPv6 and the IPv4 hidden inside IPv6 forms).
func TestPeerPolicy(t *testing.T) {
	p := newPeerPolicy([]netip.Prefix{netip.MustParsePrefix("fd12::7/128")}, []netip.Addr{netip.MustParseAddr("203.0.113.50"), netip.MustParseAddr("2001:db8::50")})
	for _, tt := range []struct {
		ip   string
		want bool
	}{
		{"8.8.8.8", true},
		{"2001:4860:4860::8888", true},
		{"fd12::7", true}, // allowed by the flag
		{"fd12::8", false},
		{"fc00::1", false},
		{"fe80::1", false},
		{"::1", false},
		{"::", false},
		{"ff02::1", false},
		{"::ffff:10.0.0.1", false},
		{"::10.0.0.1", false},          // IPv4-compatible
		{"64:ff9b::a00:1", false},      // NAT64 of 10.0.0.1
		{"64:ff9b::808:808", true},     // NAT64 of 8.8.8.8
		{"2002:c0a8:101::1", false},    // 6to4 of 192.168.1.1
		{"2001:0:4136:e378::", false},  // Teredo
		{"203.0.113.50", false},        // the server's own
		{"::ffff:203.0.113.50", false}, // the same, mapped
		{"2001:db8::50", false},
	} {
		if got := p.permits(net.ParseIP(tt.ip)); got != tt.want {
			t.Errorf("permits(%s) = %v, want %v", tt.ip, got, tt.want)
		}
	}
}

// Credentials are bound to their session: they carry its ID and a short
// expiry, and once the session ends they make no new allocation, and the
// relay already made for them is closed.
func TestTURNCredentialsEndWithSession(t *testing.T) {
	st := sessionStore(t, "sid-e")
	s := start(t, Config{Sessions: st, SweepInterval: 50 * time.Millisecond})
	ice := s.ICEServers("sid-e")[1]
	_, sid, _ := strings.Cut(ice.Username, ":")
	if sid != "sid-e" {
		t.Fatalf("username %q does not name the session", ice.Username)
	}

	c := turnClient(t, s, "sid-e")
	if _, err := c.Allocate(); err != nil {
		t.Fatalf("allocate while the session is open: %v", err)
	}
	if n := s.Allocations(); n != 1 {
		t.Fatalf("%d allocations", n)
	}
	// Credentials for a session the store does not know make no allocation.
	if _, err := turnClient(t, s, "no-such-session").Allocate(); err == nil {
		t.Fatal("allocation for a session that does not exist")
	}

	if _, err := st.UpdateSession(context.Background(), "sid-e", func(ss *store.Session) error {
		return ss.SetState(session.ClosedByTechnician, time.Now())
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := turnClient(t, s, "sid-e").Allocate(); err == nil {
		t.Fatal("new allocation with the credentials of an ended session")
	}
	deadline := time.Now().Add(10 * time.Second)
	for s.Allocations() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the ended session's relay is still there (%d allocations)", s.Allocations())
		}
		time.Sleep(20 * time.Millisecond)
	}
	// And they would not have lasted long anyway.
	if DefaultTTL > time.Hour {
		t.Errorf("credentials last %v by default", DefaultTTL)
	}
	if _, err := Check(ice.Username, time.Now().Add(DefaultTTL+time.Minute)); err == nil {
		t.Errorf("credentials %q still valid after %v", ice.Username, DefaultTTL)
	}
}

// RFC 6062 TCP relays (the server opening TCP connections to peers) are off
// unless asked for; TURN over TCP with UDP relays works either way.
func TestTURNTCPRelayOffByDefault(t *testing.T) {
	st := sessionStore(t, "sid-t")
	for _, on := range []bool{false, true} {
		s := start(t, Config{Sessions: st, TCPRelay: on})
		ice := s.ICEServers("sid-t")[1]
		tcp, err := net.Dial("tcp4", serverAddr(t, s, "tcp"))
		if err != nil {
			t.Fatal(err)
		}
		conn := pturn.NewSTUNConn(tcp)
		addr := serverAddr(t, s, "tcp")
		c, err := pturn.NewClient(&pturn.ClientConfig{STUNServerAddr: addr, TURNServerAddr: addr, Conn: conn,
			Username: ice.Username, Password: ice.Credential.(string), Realm: Realm})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Listen(); err != nil {
			t.Fatal(err)
		}
		_, err = c.AllocateTCP()
		c.Close()
		conn.Close()
		if on && err != nil {
			t.Errorf("TCP relay asked for, yet refused: %v", err)
		}
		if !on && err == nil {
			t.Error("TCP relay allocated by default")
		}
	}
}
