package netns

import (
	"io"
	"net"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// The two policies do what they say: TCP to the server always passes, UDP
// only through the permissive router, and the server sees the router's
// address (masquerade), never the customer's.
func TestPolicies(t *testing.T) {
	for _, tt := range []struct {
		name    string
		policy  Policy
		wantUDP bool
	}{
		{"permissive", Permissive, true},
		{"tcp only to the server", TCPOnlyToServer, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n := NewNAT(t, tt.policy)
			router := net.IPv4(10, n.Server[1], 1, 2).String()

			ln, err := net.Listen("tcp", net.JoinHostPort(n.Server.String(), "0"))
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			c, err := n.Customer.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatalf("TCP from the customer to the server: %v", err)
			}
			c.Close()
			s, err := ln.Accept()
			if err != nil {
				t.Fatal(err)
			}
			if from := s.RemoteAddr().(*net.TCPAddr).IP.String(); from != router {
				t.Errorf("server sees TCP from %s, want the router %s", from, router)
			}
			s.Close()

			pc, err := net.ListenPacket("udp4", net.JoinHostPort(n.Server.String(), "0"))
			if err != nil {
				t.Fatal(err)
			}
			defer pc.Close()
			u, err := n.Customer.Dial("udp", pc.LocalAddr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer u.Close()
			_, _ = u.Write([]byte("ping"))
			pc.SetReadDeadline(time.Now().Add(time.Second))
			buf := make([]byte, 16)
			_, _, err = pc.ReadFrom(buf)
			if got := err == nil; got != tt.wantUDP {
				t.Errorf("UDP from the customer arrived: %v, want %v (%v)", got, tt.wantUDP, err)
			}
		})
	}
}

// Forward lets this namespace open a page served on the customer's loopback,
// and cutting the link stops the customer from reaching the server.
func TestForwardAndCut(t *testing.T) {
	n := NewNAT(t, Permissive)
	page, err := n.Customer.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer page.Close()
	go func() {
		if c, err := page.Accept(); err == nil {
			c.Write([]byte("hello from the customer"))
			c.Close()
		}
	}()
	if _, err := net.Dial("tcp", page.Addr().String()); err == nil {
		t.Fatal("the customer's loopback is reachable without the forward")
	}
	n.Customer.Forward(t, page.Addr().String())
	c, err := net.Dial("tcp", page.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(c)
	c.Close()
	if string(got) != "hello from the customer" {
		t.Fatalf("through the forward: %q", got)
	}

	srv, err := net.Listen("tcp", net.JoinHostPort(n.Server.String(), "0"))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	reach := func() error {
		c, err := n.Customer.Dial("tcp", srv.Addr().String())
		if err == nil {
			c.Close()
		}
		return err
	}
	n.SetLink(t, false)
	if reach() == nil {
		t.Error("the customer reaches the server with the link cut")
	}
	n.SetLink(t, true)
	if err := reach(); err != nil {
		t.Errorf("the customer does not reach the server once the link is back: %v", err)
	}
}

// The strict offices: only HTTPS (TCP 443, to either server address) or
// only the proxy's port get out; anything else is dropped.
func TestHTTPSOnlyAndProxyOnly(t *testing.T) {
	listen := func(t *testing.T, addr string) {
		ln, err := net.Listen("tcp", addr)
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
				c.Close()
			}
		}()
	}
	reach := func(t *testing.T, n *NAT, addr string, want bool) {
		t.Helper()
		c, err := n.Customer.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		if got := err == nil; got != want {
			t.Errorf("TCP from the customer to %s passed: %v, want %v (%v)", addr, got, want, err)
		}
	}
	t.Run("https only", func(t *testing.T) {
		n := NewNAT(t, HTTPSOnly)
		turn := n.AddServerAddress(t)
		for _, a := range []string{n.Server.String() + ":443", turn.String() + ":443", n.Server.String() + ":3478"} {
			listen(t, a)
		}
		reach(t, n, n.Server.String()+":443", true)
		reach(t, n, turn.String()+":443", true)
		reach(t, n, n.Server.String()+":3478", false)
	})
	t.Run("proxy only", func(t *testing.T) {
		n := NewNAT(t, ProxyOnly)
		listen(t, n.ProxyAddr())
		listen(t, n.Server.String()+":443")
		reach(t, n, n.ProxyAddr(), true)
		reach(t, n, n.Server.String()+":443", false)
	})
}

// Once NewNAT or NewLink returns, this namespace's side of the network no
// longer changes: no IPv6 link-local address added after duplicate address
// detection, no late carrier report. A browser running here would take such
// a change for a new network and fail its requests in flight (CI: the
// console's scripts never loaded in the tests behind a namespace).
func TestHostSideSettledOnReturn(t *testing.T) {
	for _, tt := range []struct {
		name  string
		build func(t *testing.T) string // returns this namespace's link
	}{
		{"nat", func(t *testing.T) string { return NewNAT(t, Permissive).serverLink }},
		{"link", func(t *testing.T) string { return NewLink(t, Impairment{}).host }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			Require(t)
			link := tt.build(t)
			// Watch the link for what the kernel would still report: DAD
			// ends about a second after the link comes up. (A busy machine
			// can only make a late change show later: never a false alarm.)
			mon := exec.Command("ip", "-o", "monitor", "link", "address")
			var out lockedWriter
			mon.Stdout = &out
			if err := mon.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(3 * time.Second)
			_ = mon.Process.Kill()
			_ = mon.Wait()
			for _, line := range strings.Split(out.String(), "\n") {
				if strings.Contains(line, link) {
					t.Errorf("link %s changed after setup returned: %s", link, line)
				}
			}
		})
	}
}

// lockedWriter collects a command's output for reading while it runs.
type lockedWriter struct {
	mu sync.Mutex
	b  strings.Builder
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *lockedWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}
