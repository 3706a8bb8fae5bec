// Package connectproxy is a small HTTP CONNECT proxy for tests: the kind of
// corporate proxy a customer's office lets out through, with optional Basic
// authentication, a refusing mode, and names only it resolves.
package connectproxy

import (
	"bufio"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Proxy is a running CONNECT proxy.
type Proxy struct {
	// Addr is where it listens (host:port).
	Addr string
	// User and Password, if User is set, are required (407 otherwise).
	User, Password string
	// Refuse, while set, answers every CONNECT with 403 Forbidden.
	Refuse atomic.Bool
	// Hosts maps names only the proxy knows to addresses (a corporate DNS).
	Hosts map[string]string

	ln       net.Listener
	wg       sync.WaitGroup
	mu       sync.Mutex
	conns    map[net.Conn]struct{}
	tunnels  atomic.Int64
	asked407 atomic.Int64
	closed   bool
}

// Serve starts p on ln; Close stops it. Set the fields before.
func (p *Proxy) Serve(ln net.Listener) {
	p.ln, p.Addr, p.conns = ln, ln.Addr().String(), map[net.Conn]struct{}{}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if !p.track(c) {
				c.Close()
				return
			}
			p.wg.Add(1)
			go func() { defer p.wg.Done(); p.serve(c) }()
		}
	}()
}

// Tunnels is how many CONNECT tunnels the proxy opened.
func (p *Proxy) Tunnels() int64 { return p.tunnels.Load() }

// AuthAsked is how many times the proxy answered 407.
func (p *Proxy) AuthAsked() int64 { return p.asked407.Load() }

// Close stops the proxy and cuts its tunnels.
func (p *Proxy) Close() {
	p.mu.Lock()
	p.closed = true
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.ln.Close()
	p.wg.Wait()
}

func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *Proxy) untrack(c net.Conn) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
	c.Close()
}

func (p *Proxy) serve(c net.Conn) {
	defer p.untrack(c)
	br := bufio.NewReader(c)
	for {
		_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		_ = c.SetReadDeadline(time.Time{})
		if req.Method != http.MethodConnect {
			io.WriteString(c, "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
			return
		}
		if p.Refuse.Load() {
			io.WriteString(c, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
			return
		}
		if p.User != "" && !p.authorized(req.Header.Get("Proxy-Authorization")) {
			p.asked407.Add(1)
			// Keep the connection: a client may answer on it.
			io.WriteString(c, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"office\"\r\nContent-Length: 0\r\n\r\n")
			continue
		}
		target := req.Host
		if host, port, err := net.SplitHostPort(target); err == nil {
			if a, ok := p.Hosts[host]; ok {
				target = net.JoinHostPort(a, port)
			}
		}
		up, err := net.DialTimeout("tcp", target, 10*time.Second)
		if err != nil {
			io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
			return
		}
		if !p.track(up) {
			up.Close()
			return
		}
		defer p.untrack(up)
		p.tunnels.Add(1)
		io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n")
		done := make(chan struct{})
		go func() {
			defer close(done)
			_, _ = br.WriteTo(up)
			up.Close()
		}()
		_, _ = io.Copy(c, up)
		c.Close()
		<-done
		return
	}
}

func (p *Proxy) authorized(h string) bool {
	b, ok := strings.CutPrefix(h, "Basic ")
	if !ok {
		return false
	}
	raw, err := base64.StdEncoding.DecodeString(b)
	return err == nil && string(raw) == p.User+":"+p.Password
}
