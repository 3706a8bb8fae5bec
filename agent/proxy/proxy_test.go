package proxy

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/lifeline-support/lifeline/e2e/connectproxy"
)

// startProxy runs a CONNECT proxy on loopback that knows "signaling.test"
// as target.
func startProxy(t *testing.T, p *connectproxy.Proxy, target string) *connectproxy.Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	host, _, _ := net.SplitHostPort(target)
	p.Hosts = map[string]string{"signaling.test": host}
	p.Serve(ln)
	t.Cleanup(p.Close)
	return p
}

// echo runs a TCP server that answers each line with itself.
func echo(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); _, _ = io.Copy(c, c) }()
		}
	}()
	return ln.Addr().String()
}

func roundTrip(t *testing.T, c net.Conn) {
	t.Helper()
	defer c.Close()
	if _, err := io.WriteString(c, "hello"); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 5)
	if _, err := io.ReadFull(c, b); err != nil || string(b) != "hello" {
		t.Fatalf("through the tunnel: %q, %v", b, err)
	}
}

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDialThroughProxyFlag(t *testing.T) {
	target := echo(t)
	p := startProxy(t, &connectproxy.Proxy{}, target)
	_, port, _ := net.SplitHostPort(target)
	d, err := New(Settings{URL: "http://" + p.Addr, Env: env(nil)})
	if err != nil {
		t.Fatal(err)
	}
	// Only the proxy knows the name: a direct dial could not resolve it.
	c, err := d.Dial("tcp", "signaling.test:"+port)
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, c)
	if p.Tunnels() != 1 {
		t.Errorf("%d tunnels, want 1", p.Tunnels())
	}
}

func TestEnvironmentProxyAndNoProxy(t *testing.T) {
	d, err := New(Settings{Env: env(map[string]string{"https_proxy": "proxy.corp.test:3128", "NO_PROXY": ".intra.test,10.0.0.0/8"})})
	if err != nil {
		t.Fatal(err)
	}
	for addr, want := range map[string]string{
		"signaling.example.com:443": "proxy.corp.test:3128",
		"turn.intra.test:443":       "",
		"10.1.2.3:443":              "",
		"203.0.113.7:3478":          "proxy.corp.test:3128",
	} {
		u, err := d.For(addr)
		got := ""
		if u != nil {
			got = u.Host
		}
		if err != nil || got != want {
			t.Errorf("proxy for %s: %q, %v; want %q", addr, got, err, want)
		}
	}
	// --proxy direct: nothing goes through a proxy, whatever the environment.
	d, _ = New(Settings{URL: "direct", Env: env(map[string]string{"HTTPS_PROXY": "proxy.corp.test:3128"})})
	if u, _ := d.For("signaling.example.com:443"); u != nil {
		t.Errorf("--proxy direct still uses %s", u)
	}
}

func TestBadProxySetting(t *testing.T) {
	_, err := New(Settings{URL: "socks5://proxy:1080", Env: env(nil)})
	if !errors.Is(err, ErrBadProxy) {
		t.Fatalf("socks5 proxy: %v, want ErrBadProxy", err)
	}
}

// TestBadProxySettingHidesPassword: the error for a proxy setting the agent
// cannot use names the proxy but not its password (it ends up in logs and
// on the customer's screen), whether the URL parses or not.
func TestBadProxySettingHidesPassword(t *testing.T) {
	for _, setting := range []string{
		"socks5://alice:s3cret-pw@proxy.corp.test:1080",
		"https://alice:s3cret-pw@proxy.corp.test:3128",
		"http://alice:s3cret-pw%zz@proxy.corp.test:3128", // does not parse
		"alice:s3cret-pw@",
	} {
		_, err := New(Settings{URL: setting, Env: env(nil)})
		if !errors.Is(err, ErrBadProxy) {
			t.Fatalf("%q: %v, want ErrBadProxy", setting, err)
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("the error shows the proxy's password: %v", err)
		}
		if setting != "alice:s3cret-pw@" && !strings.Contains(err.Error(), "proxy.corp.test") {
			t.Errorf("the error does not say which proxy: %v", err)
		}
	}
}

func TestProxyBasicAuth(t *testing.T) {
	target := echo(t)
	_, port, _ := net.SplitHostPort(target)
	addr := "signaling.test:" + port
	p := startProxy(t, &connectproxy.Proxy{User: "alice", Password: "s3cret"}, target)
	d, _ := New(Settings{URL: "http://" + p.Addr, Env: env(nil)})
	if _, err := d.Dial("tcp", addr); !errors.Is(err, ErrAuthRequired) {
		t.Fatalf("no credentials: %v, want ErrAuthRequired", err)
	}
	d.SetCredentials("alice", "wrong")
	if _, err := d.Dial("tcp", addr); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("wrong password: %v, want ErrBadCredentials", err)
	}
	d.SetCredentials("alice", "s3cret")
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, c)
	// Credentials in the proxy's URL work too.
	d, _ = New(Settings{URL: "http://alice:s3cret@" + p.Addr, Env: env(nil)})
	c, err = d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, c)
}

func TestProxyRefusesOrIsUnreachable(t *testing.T) {
	target := echo(t)
	_, port, _ := net.SplitHostPort(target)
	p := &connectproxy.Proxy{}
	p.Refuse.Store(true)
	startProxy(t, p, target)
	d, _ := New(Settings{URL: "http://" + p.Addr, Env: env(nil)})
	_, err := d.Dial("tcp", "signaling.test:"+port)
	if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "403") {
		t.Fatalf("refusing proxy: %v, want ErrRefused with its 403", err)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	gone := ln.Addr().String()
	ln.Close()
	d, _ = New(Settings{URL: "http://" + gone, Env: env(nil)})
	if _, err := d.Dial("tcp", "signaling.test:"+port); !errors.Is(err, ErrUnreachable) {
		t.Fatalf("proxy not there: %v, want ErrUnreachable", err)
	}
}

// TURN over TLS through the proxy: the tunnel carries the TLS handshake to
// the named server, checked against its certificate.
func TestTLSThroughTunnel(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "turn") }))
	t.Cleanup(srv.Close)
	p := startProxy(t, &connectproxy.Proxy{}, srv.Listener.Addr().String())
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	d, _ := New(Settings{URL: "http://" + p.Addr, Env: env(nil)})
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	addr := "signaling.test:" + port
	// httptest's certificate names example.com.
	c, err := TLS{Dialer: d, Servers: map[string]string{addr: "example.com"}, Config: &tls.Config{RootCAs: roots}}.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, ok := c.LocalAddr().(*net.TCPAddr); !ok {
		t.Errorf("local address %T: pion's ICE agent needs a *net.TCPAddr", c.LocalAddr())
	}
	if _, err := io.WriteString(c, "GET / HTTP/1.0\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(c)
	if !strings.HasSuffix(string(b), "turn") {
		t.Fatalf("answer through TLS: %q", b)
	}
	// A wrong name fails the handshake instead of trusting anyone.
	if _, err := (TLS{Dialer: d, Servers: map[string]string{addr: "evil.test"}, Config: &tls.Config{RootCAs: roots}}).Dial("tcp", addr); err == nil {
		t.Fatal("TLS accepted a certificate for another name")
	}
}

func TestParseWinINET(t *testing.T) {
	for _, tc := range []struct {
		name                   string
		enable                 uint32
		server, override       string
		wantOK                 bool
		wantProxy, wantNoProxy string
	}{
		{"off", 0, "proxy:8080", "", false, "", ""},
		{"empty", 1, "", "", false, "", ""},
		{"one for all", 1, "proxy.corp:8080", "<local>;*.intra.corp;10.*;192.168.*;bad.*", true, "proxy.corp:8080", "localhost,.intra.corp,10.0.0.0/8,192.168.0.0/16"},
		{"per protocol", 1, "http=p1:80;https=p2:443;ftp=p3:21", "", true, "p2:443", ""},
		{"http only", 1, "http=p1:80", "", true, "p1:80", ""},
		{"ftp only", 1, "ftp=p3:21", "", false, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, ok := parseWinINET(tc.enable, tc.server, tc.override)
			if ok != tc.wantOK || c.HTTPSProxy != tc.wantProxy || c.NoProxy != tc.wantNoProxy {
				t.Errorf("got %v %+v, want %v %q no_proxy %q", ok, c, tc.wantOK, tc.wantProxy, tc.wantNoProxy)
			}
		})
	}
}
