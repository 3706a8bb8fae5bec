// Package proxy takes the agent's connections out through the customer's
// HTTP proxy: it finds the proxy (--proxy, HTTPS_PROXY and NO_PROXY, the
// system's setting on Windows) and tunnels TCP through it with CONNECT,
// with Basic authentication when the proxy asks for it. The signaling
// WebSocket and TURN over TCP or TLS both dial through one Dialer.
package proxy

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/http/httpproxy"
)

// Settings say where the proxy is, before the system's own are consulted.
type Settings struct {
	// URL is the proxy for every destination (the --proxy flag), e.g.
	// http://proxy.example.com:3128 or http://user:pass@proxy:3128; "direct"
	// turns proxies off. Empty: the environment's, then the system's.
	URL string
	// Env reads an environment variable; nil means os.Getenv.
	Env func(string) string
}

// Dialer connects to TCP addresses directly or through the proxy that
// serves them. It is safe for concurrent use.
type Dialer struct {
	proxyFor func(*url.URL) (*url.URL, error)
	direct   net.Dialer

	mu   sync.Mutex
	user *url.Userinfo // given by the customer; wins over the proxy URL's
}

// New returns the Dialer for s; with no proxy anywhere it dials directly.
func New(s Settings) (*Dialer, error) {
	env := s.Env
	if env == nil {
		env = osGetenv
	}
	cfg := httpproxy.Config{
		HTTPProxy: first(env("HTTPS_PROXY"), env("https_proxy"), env("HTTP_PROXY"), env("http_proxy")),
		NoProxy:   first(env("NO_PROXY"), env("no_proxy")),
	}
	cfg.HTTPSProxy = cfg.HTTPProxy
	switch {
	case strings.EqualFold(s.URL, "direct"):
		cfg = httpproxy.Config{}
	case s.URL != "":
		cfg.HTTPProxy, cfg.HTTPSProxy = s.URL, s.URL
	case cfg.HTTPProxy == "":
		if sys, ok := system(); ok {
			cfg = sys
		}
	}
	if cfg.HTTPProxy != "" {
		if _, err := parseProxy(cfg.HTTPProxy); err != nil {
			return nil, err
		}
	}
	return &Dialer{proxyFor: cfg.ProxyFunc(), direct: net.Dialer{Timeout: 15 * time.Second}}, nil
}

func first(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

// parseProxy accepts http://host:port or host:port (http assumed, as
// curl and Go do).
func parseProxy(p string) (*url.URL, error) {
	if !strings.Contains(p, "://") {
		p = "http://" + p
	}
	u, err := url.Parse(p)
	if err != nil || u.Host == "" || u.Scheme != "http" {
		return nil, fmt.Errorf("%w: %q (want http://host:port)", ErrBadProxy, redacted(p))
	}
	return u, nil
}

// redacted is proxy URL p without its password, to show in errors and logs:
// URL.Redacted when p parses, else without anything before the host's "@".
func redacted(p string) string {
	if u, err := url.Parse(p); err == nil {
		return u.Redacted()
	}
	scheme, rest, ok := strings.Cut(p, "://")
	if !ok {
		scheme, rest = "", p
	}
	end := strings.Index(rest, "/")
	if end < 0 {
		end = len(rest)
	}
	if at := strings.LastIndex(rest[:end], "@"); at >= 0 {
		rest = "xxxxx" + rest[at:]
	}
	if ok {
		return scheme + "://" + rest
	}
	return rest
}

// For returns the proxy that serves addr (host:port), or nil when addr is
// reached directly.
func (d *Dialer) For(addr string) (*url.URL, error) {
	u, err := d.proxyFor(&url.URL{Scheme: "https", Host: addr})
	if err != nil || u == nil {
		return nil, err
	}
	return parseProxy(u.String())
}

// SetCredentials sets the user name and password sent to the proxy from now
// on (asked from the customer).
func (d *Dialer) SetCredentials(user, password string) {
	d.mu.Lock()
	d.user = url.UserPassword(user, password)
	d.mu.Unlock()
}

// Dial is DialContext without a context (the golang.org/x/net/proxy
// Dialer that pion's ICE agent takes).
func (d *Dialer) Dial(network, addr string) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return d.DialContext(ctx, network, addr)
}

// DialContext connects to addr, through the proxy if one serves it. Errors
// from the proxy wrap ErrAuthRequired, ErrBadCredentials, ErrRefused or
// ErrUnreachable.
func (d *Dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	p, err := d.For(addr)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return d.direct.DialContext(ctx, network, addr)
	}
	c, err := d.direct.DialContext(ctx, "tcp", p.Host)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %v", ErrUnreachable, p.Host, err)
	}
	conn, err := d.connect(ctx, c, p, addr)
	if err != nil {
		c.Close()
		return nil, err
	}
	return conn, nil
}

// connect asks the proxy on c for a tunnel to addr.
func (d *Dialer) connect(ctx context.Context, c net.Conn, p *url.URL, addr string) (net.Conn, error) {
	if dl, ok := ctx.Deadline(); ok {
		_ = c.SetDeadline(dl)
		defer func() { _ = c.SetDeadline(time.Time{}) }()
	}
	stop := context.AfterFunc(ctx, func() { _ = c.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	req := &http.Request{Method: http.MethodConnect, URL: &url.URL{Opaque: addr}, Host: addr, Header: http.Header{}}
	d.mu.Lock()
	user := d.user
	d.mu.Unlock()
	if user == nil {
		user = p.User
	}
	if user != nil {
		pass, _ := user.Password()
		req.Header.Set("Proxy-Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(user.Username()+":"+pass)))
	}
	if err := req.Write(c); err != nil {
		return nil, fmt.Errorf("%w %s: %v", ErrUnreachable, p.Host, err)
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %v", ErrUnreachable, p.Host, err)
	}
	resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusProxyAuthRequired && user == nil:
		return nil, fmt.Errorf("%w (%s)", ErrAuthRequired, p.Host)
	case resp.StatusCode == http.StatusProxyAuthRequired:
		return nil, fmt.Errorf("%w (%s)", ErrBadCredentials, p.Host)
	case resp.StatusCode/100 != 2:
		return nil, fmt.Errorf("%w: %s answered %q for %s", ErrRefused, p.Host, resp.Status, addr)
	}
	if br.Buffered() > 0 {
		return &bufferedConn{Conn: c, r: br}, nil
	}
	return c, nil
}

// bufferedConn is a tunnel whose first bytes were read with the proxy's
// answer.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (b *bufferedConn) Read(p []byte) (int, error) { return b.r.Read(p) }

// TLS wraps a Dialer so that connections to the addresses in servers (host:port
// → TLS server name) speak TLS over the tunnel: pion's ICE agent does not add
// TLS itself for turns: URLs when it dials through a proxy. It is the dialer
// pion's ICE agent takes (SettingEngine.SetICEProxyDialer).
type TLS struct {
	Dialer  *Dialer
	Servers map[string]string
	// Config is the base TLS configuration (nil: the system's roots).
	Config *tls.Config
	// Context, when done, ends every dial and handshake in progress (the
	// peer closing); nil: none.
	Context context.Context
	// Timeout bounds each dial with its handshake (default 10 s).
	Timeout time.Duration
}

// Dial connects to addr and, for a TLS server, completes the handshake.
func (t TLS) Dial(network, addr string) (net.Conn, error) {
	ctx := t.Context
	if ctx == nil {
		ctx = context.Background()
	}
	timeout := t.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c, err := t.Dialer.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	name, ok := t.Servers[addr]
	if !ok {
		return c, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if t.Config != nil {
		cfg = t.Config.Clone()
	}
	cfg.ServerName = name
	tc := tls.Client(c, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		c.Close()
		return nil, fmt.Errorf("TLS with %s: %w", addr, err)
	}
	return tc, nil
}
