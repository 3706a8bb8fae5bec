// Package turn gives peers a way through NAT and firewalls: an embedded TURN/STUN
// server (pion/turn) and short-lived TURN REST credentials, or the same
// credentials for external TURN servers (e.g. coturn) that share the secret.
package turn

import (
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
	"strconv"
	"strings"
	"sync"
	"time"

	pturn "github.com/pion/turn/v5"
	"github.com/pion/webrtc/v4"
)

// DefaultTTL is how long handed-out credentials stay valid: long enough for a
// support session (an allocation is refreshed with the same credentials),
// short enough that a leaked one soon becomes useless.
const DefaultTTL = 12 * time.Hour

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
	// AllowLoopbackPeers lets relays send to loopback addresses (tests on one
	// machine). Off, a relay never reaches the server's own loopback services.
	AllowLoopbackPeers bool
	Logger             *slog.Logger
}

// Realm is the TURN realm of the embedded server.
const Realm = "lifeline"

// ErrNoServers means TURN was configured with neither an embedded server nor external URLs.
var ErrNoServers = errors.New("turn: no embedded server and no external TURN URL")

// Server hands out ICE servers with credentials and runs the embedded TURN
// server, if configured.
type Server struct {
	cfg    Config
	log    *slog.Logger
	server *pturn.Server
	urls   []string

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
	if cfg.Secret == "" {
		return nil, errors.New("turn: a shared secret is required")
	}
	if cfg.Listen == "" && len(cfg.External) == 0 {
		return nil, ErrNoServers
	}
	s := &Server{cfg: cfg, log: cfg.Logger}
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
		Realm:             Realm,
		AuthHandler:       s.authenticate,
		PacketConnConfigs: []pturn.PacketConnConfig{{PacketConn: udp, RelayAddressGenerator: s.relays(), PermissionHandler: s.permit}},
		ListenerConfigs:   listeners,
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
	s.log.Info("embedded TURN server started", "port", port, "tlsPort", tlsPort, "relayIP", cfg.RelayIP.String(), "host", cfg.Host)
	return nil
}

func (s *Server) relays() pturn.RelayAddressGenerator {
	if s.cfg.MinPort != 0 || s.cfg.MaxPort != 0 {
		return &pturn.RelayAddressGeneratorPortRange{RelayAddress: s.cfg.RelayIP, Address: "0.0.0.0", MinPort: s.cfg.MinPort, MaxPort: s.cfg.MaxPort}
	}
	return &pturn.RelayAddressGeneratorStatic{RelayAddress: s.cfg.RelayIP, Address: "0.0.0.0"}
}

// permit refuses to relay towards addresses a customer must never reach
// through this server: its loopback (unless allowed), unspecified, multicast
// and link-local addresses.
func (s *Server) permit(_ net.Addr, peer net.IP) bool {
	switch {
	case peer.IsLoopback():
		return s.cfg.AllowLoopbackPeers
	case peer.IsUnspecified(), peer.IsMulticast(), peer.IsLinkLocalUnicast(), peer.IsLinkLocalMulticast():
		return false
	}
	return true
}

// authenticate checks a TURN REST username ("<expiry>:<user>") against the secret.
func (s *Server) authenticate(ra *pturn.RequestAttributes) (string, []byte, bool) {
	user, err := Check(ra.Username, time.Now())
	if err != nil {
		s.log.Info("turn: credentials refused", "from", ra.SrcAddr.String(), "err", err)
		return "", nil, false
	}
	return user, pturn.GenerateAuthKey(ra.Username, ra.Realm, Password(s.cfg.Secret, ra.Username)), true
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
	return s.server.Close()
}

// Errors of Check.
var (
	ErrBadUsername = errors.New("turn: username is not <expiry>:<user>")
	ErrExpired     = errors.New("turn: credentials expired")
)

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
// expired at now. The password itself is checked by the TURN exchange (the
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
	if exp < now.Unix() {
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
