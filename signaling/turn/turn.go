// Package turn gives peers a way through NAT and firewalls: an embedded TURN/STUN
// server (pion/turn) and short-lived TURN REST credentials, or the same
// credentials for external TURN servers (e.g. coturn) that share the secret.
package turn

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1" //nolint:gosec // TURN REST credentials are HMAC-SHA1 by definition
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pion/stun/v4"
	pturn "github.com/pion/turn/v5"
	"github.com/pion/webrtc/v4"
)

// DefaultTTL is how long handed-out credentials may make new allocations
// (peers get fresh ones each time they join or resume). On the embedded
// server they also end with their session, and an allocation they made is
// refreshed for as long as its session lasts, past this expiry; external
// TURN servers (coturn) know only the expiry.
const DefaultTTL = time.Hour

// DefaultSweepInterval is how often the embedded server closes the relays
// of sessions that have ended.
const DefaultSweepInterval = 10 * time.Second

// Sessions is what the TURN server asks the session store: whether the
// session a TURN username names is still open.
type Sessions interface {
	SessionOpen(ctx context.Context, sid string) (bool, error)
}

// Config configures the TURN side of a signaling node.
type Config struct {
	// Listen is the UDP and TCP address of the embedded server, e.g. ":3478";
	// empty runs no embedded server. Port 0 picks a free port (UDP and TCP share it).
	Listen string
	// TLSListen, with CertFile and KeyFile, also serves TURN over TLS (turns:),
	// e.g. on port 443 of a dedicated address. Empty: no TLS listener.
	TLSListen         string
	CertFile, KeyFile string
	// Host is the name or address peers use in the turn: URLs of the embedded server.
	Host string
	// RelayIP is the address the embedded server advertises for its relays: the
	// server's public address.
	RelayIP net.IP
	// MinPort and MaxPort bound the UDP ports of relays (both 0: any free
	// port), so that a firewall can open just that range.
	MinPort, MaxPort uint16
	// Secret is the shared secret of the TURN REST credentials. It must be the
	// same on every signaling node and every external TURN server.
	Secret string
	// TTL is how long credentials stay valid; 0 means DefaultTTL.
	TTL time.Duration
	// External lists URLs of external TURN/STUN servers using Secret, e.g.
	// "turn:turn.example.com:3478?transport=udp".
	External []string
	// AllowPeers names the non-public peer addresses relays may reach
	// anyway (e.g. a lab network, or 127.0.0.0/8 when everything runs on one
	// machine). Without it a relay reaches public addresses only: never
	// private ranges (RFC 1918, CGNAT, ULA, loopback, link-local) nor the
	// server's own addresses, but for other relays at RelayIP.
	AllowPeers []netip.Prefix
	// TCPRelay offers RFC 6062 TCP relays (the server opening TCP connections
	// to peers). Off by default: WebRTC needs UDP relays only, which TURN
	// over TCP and TLS carry as well.
	TCPRelay bool
	// Sessions, if set, binds credentials to their session: the embedded
	// server refuses the credentials of a session that is not open, and
	// closes the relays of a session that has ended.
	Sessions Sessions
	// SweepInterval is how often relays of ended sessions are closed; 0
	// means DefaultSweepInterval.
	SweepInterval time.Duration
	Logger        *slog.Logger
}

// Realm is the TURN realm of the embedded server.
const Realm = "lifeline"

// Server hands out ICE servers with credentials and runs the embedded TURN
// server, if configured.
type Server struct {
	cfg      Config
	log      *slog.Logger
	server   *pturn.Server
	urls     []string
	policy   *peerPolicy
	relayIP  netip.Addr
	registry *relayRegistry
	stop     context.CancelFunc
	wg       sync.WaitGroup

	mu     sync.Mutex
	closed bool
}

// New starts the embedded server (when cfg.Listen is set) and returns the Server.
func New(cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.TTL <= 0 {
		cfg.TTL = DefaultTTL
	}
	if cfg.SweepInterval <= 0 {
		cfg.SweepInterval = DefaultSweepInterval
	}
	if cfg.Secret == "" {
		return nil, errors.New("turn: a shared secret is required")
	}
	if cfg.Listen == "" && len(cfg.External) == 0 {
		return nil, ErrNoServers
	}
	s := &Server{cfg: cfg, log: cfg.Logger, registry: newRelayRegistry()}
	if cfg.Listen != "" {
		if err := s.start(); err != nil {
			return nil, err
		}
	}
	s.urls = append(s.urls, cfg.External...)
	return s, nil
}

// listenBoth listens on addr in UDP and on the same port in TCP. With port 0
// the system picks a free UDP port, which some TCP socket may hold: then it
// picks again.
func listenBoth(addr string) (net.PacketConn, net.Listener, error) {
	host, port, _ := net.SplitHostPort(addr)
	for try := 0; ; try++ {
		udp, err := net.ListenPacket("udp4", addr)
		if err != nil {
			return nil, nil, fmt.Errorf("turn: listen udp %s: %w", addr, err)
		}
		p := udp.LocalAddr().(*net.UDPAddr).Port
		tcp, err := net.Listen("tcp4", net.JoinHostPort(host, strconv.Itoa(p)))
		if err == nil {
			return udp, tcp, nil
		}
		udp.Close()
		if port != "0" || try == 20 {
			return nil, nil, fmt.Errorf("turn: listen tcp on port %d: %w", p, err)
		}
	}
}

func (s *Server) start() error {
	cfg := s.cfg
	if cfg.RelayIP == nil {
		return errors.New("turn: the relay address (public IP of this server) is required")
	}
	relayIP, ok := netip.AddrFromSlice(cfg.RelayIP)
	if !ok {
		return fmt.Errorf("turn: relay address %v is not an IP address", cfg.RelayIP)
	}
	s.relayIP = relayIP.Unmap()
	s.policy = newPeerPolicy(cfg.AllowPeers, append(hostAddrs(), s.relayIP))
	udp, tcp, err := listenBoth(cfg.Listen)
	if err != nil {
		return err
	}
	port := udp.LocalAddr().(*net.UDPAddr).Port
	listeners := []pturn.ListenerConfig{{Listener: tcp, RelayAddressGenerator: s.relays(), PermissionHandler: s.permit}}
	var tlsPort int
	if cfg.TLSListen != "" {
		cert, err := tls.LoadX509KeyPair(cfg.CertFile, cfg.KeyFile)
		if err != nil {
			udp.Close()
			tcp.Close()
			return fmt.Errorf("turn: TLS certificate: %w", err)
		}
		tl, err := tls.Listen("tcp4", cfg.TLSListen, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
		if err != nil {
			udp.Close()
			tcp.Close()
			return fmt.Errorf("turn: listen tls %s: %w", cfg.TLSListen, err)
		}
		tlsPort = tl.Addr().(*net.TCPAddr).Port
		listeners = append(listeners, pturn.ListenerConfig{Listener: tl, RelayAddressGenerator: s.relays(), PermissionHandler: s.permit})
	}
	srv, err := pturn.NewServer(pturn.ServerConfig{
		Realm: Realm,
		// Permissions and channels are refreshed with a fresh check of the
		// session (RFC 5766's 5 minutes; pion's default is 10).
		PermissionTimeout:  5 * time.Minute,
		ChannelBindTimeout: 10 * time.Minute,
		AuthHandler:        s.authenticate,
		PacketConnConfigs:  []pturn.PacketConnConfig{{PacketConn: udp, RelayAddressGenerator: s.relays(), PermissionHandler: s.permit}},
		ListenerConfigs:    listeners,
	})
	if err != nil {
		udp.Close()
		tcp.Close()
		for _, l := range listeners[1:] {
			l.Listener.Close()
		}
		return fmt.Errorf("turn: start: %w", err)
	}
	s.server = srv
	hp := net.JoinHostPort(cfg.Host, strconv.Itoa(port))
	s.urls = append(s.urls, "stun:"+hp, "turn:"+hp+"?transport=udp", "turn:"+hp+"?transport=tcp")
	if tlsPort != 0 {
		s.urls = append(s.urls, "turns:"+net.JoinHostPort(cfg.Host, strconv.Itoa(tlsPort))+"?transport=tcp")
	}
	s.log.Info("embedded TURN server started", "port", port, "tlsPort", tlsPort, "relayIP", cfg.RelayIP.String(), "host", cfg.Host,
		"allowPeers", cfg.AllowPeers, "tcpRelay", cfg.TCPRelay)
	if cfg.Sessions != nil {
		ctx, stop := context.WithCancel(context.Background())
		s.stop = stop
		s.wg.Go(func() { s.sweep(ctx) })
	}
	return nil
}

func (s *Server) relays() pturn.RelayAddressGenerator {
	var inner pturn.RelayAddressGenerator = &pturn.RelayAddressGeneratorStatic{RelayAddress: s.cfg.RelayIP, Address: "0.0.0.0"}
	if s.cfg.MinPort != 0 || s.cfg.MaxPort != 0 {
		inner = &pturn.RelayAddressGeneratorPortRange{RelayAddress: s.cfg.RelayIP, Address: "0.0.0.0", MinPort: s.cfg.MinPort, MaxPort: s.cfg.MaxPort}
	}
	return &relays{inner: inner, tcp: s.cfg.TCPRelay, relayIP: s.relayIP, policy: s.policy, registry: s.registry}
}

// permit decides CreatePermission and ChannelBind requests: public peers,
// peers AllowPeers names, and the server's own relay address (two peers both
// relayed here; relayConn lets those packets reach relays only).
func (s *Server) permit(client net.Addr, peer net.IP) bool {
	if a, ok := netip.AddrFromSlice(peer); ok && a.Unmap() == s.relayIP {
		return true
	}
	if s.policy.permits(peer) {
		return true
	}
	s.log.Info("turn: peer refused", "from", client.String(), "peer", peer.String(), "err", ErrPeerRefused)
	return false
}

// authenticate checks a TURN REST username ("<expiry>:<session>") against
// the secret and the session: an expired one makes no new allocation, and
// one whose session is not open works for nothing, refreshes included.
func (s *Server) authenticate(ra *pturn.RequestAttributes) (string, []byte, bool) {
	user, err := Check(ra.Username, time.Now())
	if errors.Is(err, ErrExpired) && ra.Method != stun.MethodAllocate && s.cfg.Sessions != nil {
		// An allocation made in time lives as long as its session.
		user, err = Check(ra.Username, time.Time{})
	}
	if err == nil && s.cfg.Sessions != nil {
		err = s.sessionOpen(user)
	}
	if err != nil {
		s.log.Info("turn: credentials refused", "from", ra.SrcAddr.String(), "method", ra.Method.String(), "err", err)
		return "", nil, false
	}
	return user, pturn.GenerateAuthKey(ra.Username, ra.Realm, Password(s.cfg.Secret, ra.Username)), true
}

// sessionOpen asks the session store whether sid is open (ErrSessionEnded if not).
func (s *Server) sessionOpen(sid string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	open, err := s.cfg.Sessions.SessionOpen(ctx, sid)
	if err != nil {
		return fmt.Errorf("turn: session %s: %w", sid, err)
	}
	if !open {
		return ErrSessionEnded
	}
	return nil
}

// sweep closes, every SweepInterval, the relays of sessions that have ended,
// which ends their allocations.
func (s *Server) sweep(ctx context.Context) {
	t := time.NewTicker(s.cfg.SweepInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for _, sid := range s.registry.sessions() {
			if err := s.sessionOpen(sid); errors.Is(err, ErrSessionEnded) {
				n := s.registry.closeSession(sid)
				s.log.Info("turn: closed the relays of an ended session", "sid", sid, "relays", n)
			}
		}
	}
}

// ICEServers returns the ICE servers for user (a session id), with fresh
// credentials valid for the configured TTL.
func (s *Server) ICEServers(user string) []webrtc.ICEServer {
	name, pw := Credentials(s.cfg.Secret, user, time.Now().Add(s.cfg.TTL))
	var stun, turn []string
	for _, u := range s.urls {
		if strings.HasPrefix(u, "stun:") || strings.HasPrefix(u, "stuns:") {
			stun = append(stun, u)
		} else {
			turn = append(turn, u)
		}
	}
	var out []webrtc.ICEServer
	if len(stun) > 0 {
		out = append(out, webrtc.ICEServer{URLs: stun})
	}
	if len(turn) > 0 {
		out = append(out, webrtc.ICEServer{URLs: turn, Username: name, Credential: pw})
	}
	return out
}

// Allocations is the number of relays the embedded server holds now.
func (s *Server) Allocations() int {
	if s == nil || s.server == nil {
		return 0
	}
	return s.server.AllocationCount()
}

// Close stops the embedded server. It is idempotent.
func (s *Server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.server == nil {
		s.closed = true
		return nil
	}
	s.closed = true
	if s.stop != nil {
		s.stop()
	}
	s.wg.Wait()
	return s.server.Close()
}

// Credentials returns a TURN REST username and password for user, valid until
// expiry: the username is "<unix expiry>:<user>", the password the base64 of
// HMAC-SHA1(secret, username). coturn's use-auth-secret checks the same.
func Credentials(secret, user string, expiry time.Time) (username, password string) {
	username = strconv.FormatInt(expiry.Unix(), 10) + ":" + user
	return username, Password(secret, username)
}

// Password is the TURN REST password for a username.
func Password(secret, username string) string {
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write([]byte(username))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// Check parses a TURN REST username and returns its user part if it has not
// expired at now (a zero now skips the expiry). The password itself is checked by the TURN exchange (the
// message integrity is keyed with Password).
func Check(username string, now time.Time) (string, error) {
	ts, user, ok := strings.Cut(username, ":")
	if !ok || user == "" {
		return "", ErrBadUsername
	}
	exp, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return "", ErrBadUsername
	}
	if !now.IsZero() && exp < now.Unix() {
		return "", ErrExpired
	}
	return user, nil
}

// NewSecret returns a random shared secret.
func NewSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
