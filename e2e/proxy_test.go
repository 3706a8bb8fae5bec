package e2e

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lifeline-support/lifeline/e2e/connectproxy"
	"github.com/lifeline-support/lifeline/e2e/netns"
)

// officeProxy runs the office's CONNECT proxy where the ProxyOnly customer
// can reach it, and stops it when the test ends.
func officeProxy(t *testing.T, nat *netns.NAT, p *connectproxy.Proxy) *connectproxy.Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", nat.ProxyAddr())
	if err != nil {
		t.Fatal(err)
	}
	p.Serve(ln)
	t.Cleanup(p.Close)
	return p
}

// proxyStack is a stack whose customer can reach nothing but the office
// proxy: signaling and TURN (UDP and TCP) on the server's address.
func proxyStack(t *testing.T) (*netns.NAT, *Stack) {
	t.Helper()
	nat := netns.NewNAT(t, netns.ProxyOnly)
	ip := nat.Server.String()
	stack := StartWith(t, Options{SignalingArgs: []string{"--addr", ip + ":0", "--turn-listen", ip + ":0"}})
	stack.Behind(nat.Customer)
	return nat, stack
}

// The office lets out only its proxy, named in HTTPS_PROXY: signaling's
// WebSocket and TURN over TCP both go through it (CONNECT), and the session
// runs relayed.
func TestBehindOfficeProxy(t *testing.T) {
	nat, stack := proxyStack(t)
	p := officeProxy(t, nat, &connectproxy.Proxy{})
	stack.AgentEnv = append(stack.AgentEnv, "HTTPS_PROXY=http://"+nat.ProxyAddr())
	tech := stack.Technician(t)
	connectThrough(t, stack, tech, "Proxied Office", "relayed-tcp")
	if p.Tunnels() < 2 {
		t.Errorf("%d tunnels through the proxy, want signaling and TURN", p.Tunnels())
	}
}

// The proxy wants a password: the customer's page asks for it (a wrong one
// first, refused and asked again), and the session then connects through the
// proxy.
func TestBehindOfficeProxyWithLogin(t *testing.T) {
	nat, stack := proxyStack(t)
	p := officeProxy(t, nat, &connectproxy.Proxy{User: "alice", Password: "s3cret"})
	stack.AgentArgs = append(stack.AgentArgs, "--proxy", "http://"+nat.ProxyAddr())
	tech := stack.Technician(t)
	inv := tech.NewSession(t, "Proxied Office")
	customer := stack.Customer(t, inv)
	customer.OpenPage(t)
	t.Cleanup(func() {
		if t.Failed() {
			ctx, cancel := context.WithTimeout(customer.ctx, 5*time.Second)
			defer cancel()
			html, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("main").outerHTML`))
			t.Logf("customer page (%v):\n%s", err, html)
		}
	})
	customer.ProxyLogin(t, "alice", "wrong")
	run(t, customer.ctx, "see the refusal", chromedp.WaitVisible(chromedp.ID("proxy-again")))
	customer.ProxyLogin(t, "alice", "s3cret")
	customer.Allow(t)
	tech.WaitVideo(t)
	if path, shown := tech.WaitPath(t); path != "relayed-tcp" {
		t.Errorf("connection path %q (%q), want relayed-tcp", path, shown)
	}
	if p.AuthAsked() < 2 {
		t.Errorf("the proxy asked %d times for a password, want the first try and the wrong one", p.AuthAsked())
	}
	if strings.Contains(customer.errs.String()+customer.out.String(), "s3cret") {
		t.Error("the proxy password reached the agent's log")
	}
	customer.End(t)
	customer.WaitExit(t)
}

// The proxy refuses (403): the customer's page says so plainly, the agent's
// log too, and the customer can end.
func TestOfficeProxyRefuses(t *testing.T) {
	nat, stack := proxyStack(t)
	p := &connectproxy.Proxy{}
	p.Refuse.Store(true)
	officeProxy(t, nat, p)
	stack.AgentArgs = append(stack.AgentArgs, "--proxy", "http://"+nat.ProxyAddr())
	tech := stack.Technician(t)
	inv := tech.NewSession(t, "Closed Office")
	customer := stack.Customer(t, inv)
	customer.OpenPage(t)
	run(t, customer.ctx, "see the problem", chromedp.WaitVisible(chromedp.ID("problem")))
	text := get(t, customer.ctx, "read the problem", chromedp.Text(chromedp.ID("problem")))
	if !strings.Contains(text, "proxy ("+nat.ProxyAddr()+") refused the connection") {
		t.Errorf("the page says %q", text)
	}
	customer.WaitLog(t, "403 Forbidden")
	customer.End(t)
	code, _, errs := customer.WaitExit(t)
	if code == 0 || !strings.Contains(errs, "proxy") {
		t.Errorf("agent exit %d, stderr:\n%s", code, errs)
	}
}
