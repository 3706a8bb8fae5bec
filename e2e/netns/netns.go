// Package netns builds small test networks out of Linux network namespaces:
// a customer behind a NAT router (nftables), joined to the machine's own
// namespace where the server runs. Everything it makes is removed when the
// test ends, failed or not. It needs root; tests skip without it.
package netns

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Require skips the test unless it runs as root with ip and nft available.
func Require(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("network namespace tests need root (ip netns, nftables); run them as root")
	}
	for _, tool := range []string{"ip", "nft"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (go tool task deps installs nftables and iproute2)", tool)
		}
	}
}

// NS is one network namespace.
type NS struct {
	Name string
}

// New creates a namespace named prefix plus a random suffix, with its loopback
// up, and deletes it when the test ends.
func New(t testing.TB, prefix string) *NS {
	t.Helper()
	n := &NS{Name: prefix + "-" + randomID()}
	host(t, "ip", "netns", "add", n.Name)
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", n.Name).Run() })
	n.Run(t, "ip", "link", "set", "lo", "up")
	return n
}

// Run runs a command inside the namespace and fails the test if it fails.
func (n *NS) Run(t testing.TB, name string, args ...string) {
	t.Helper()
	host(t, "ip", append([]string{"netns", "exec", n.Name, name}, args...)...)
}

// Command returns a command that runs inside the namespace.
func (n *NS) Command(name string, args ...string) *exec.Cmd {
	return exec.Command("ip", append([]string{"netns", "exec", n.Name, name}, args...)...)
}

// Dial connects from inside the namespace.
func (n *NS) Dial(network, addr string) (net.Conn, error) {
	var c net.Conn
	err := n.do(func() (err error) {
		c, err = net.DialTimeout(network, addr, 5*time.Second)
		return err
	})
	return c, err
}

// Listen listens inside the namespace.
func (n *NS) Listen(network, addr string) (net.Listener, error) {
	var l net.Listener
	err := n.do(func() (err error) {
		l, err = net.Listen(network, addr)
		return err
	})
	return l, err
}

// do runs f on a thread that entered the namespace: sockets f opens belong
// to the namespace for their whole life.
func (n *NS) do(f func() error) error {
	res := make(chan error, 1)
	go func() {
		// The thread enters the namespace and is never unlocked: when this
		// goroutine ends, the runtime ends the thread with it.
		runtime.LockOSThread()
		fd, err := unix.Open("/run/netns/"+n.Name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			res <- fmt.Errorf("open namespace %s: %w", n.Name, err)
			return
		}
		defer unix.Close(fd)
		if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
			res <- fmt.Errorf("enter namespace %s: %w", n.Name, err)
			return
		}
		res <- f()
	}()
	return <-res
}

// Forward listens on addr (a TCP host:port such as 127.0.0.1:8123) in the
// test's own namespace and connects each client to the same addr inside n, so
// a browser outside can open a page served on n's loopback. It stops when the
// test ends.
func (n *NS) Forward(t testing.TB, addr string) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("forward %s into %s: %v", addr, n.Name, err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	track := func(c net.Conn) {
		mu.Lock()
		conns = append(conns, c)
		mu.Unlock()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			in, err := n.Dial("tcp", addr)
			if err != nil {
				c.Close()
				continue
			}
			track(c)
			track(in)
			wg.Add(2)
			go func() { defer wg.Done(); _, _ = io.Copy(in, c); in.Close() }()
			go func() { defer wg.Done(); _, _ = io.Copy(c, in); c.Close() }()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
}

// Policy is what a NAT router lets the customer do.
type Policy int

const (
	// Permissive lets the customer reach anything (a home router): outgoing
	// UDP and TCP with their answers, nothing unsolicited coming in.
	Permissive Policy = iota
	// TCPOnlyToServer is a strict corporate firewall: only outgoing TCP to the
	// server; no UDP at all, nothing unsolicited coming in.
	TCPOnlyToServer
	// HTTPSOnly is a firewall that lets out only TCP to port 443 (of the
	// server's addresses): TURN over TLS on 443 and HTTPS pass, nothing else.
	HTTPSOnly
	// ProxyOnly lets out nothing but TCP to the office proxy, on the server
	// side at ProxyAddr: everything else must go through it (CONNECT).
	ProxyOnly
)

// ProxyPort is the port of the office proxy under the ProxyOnly policy.
const ProxyPort = 3128

// NAT is a customer namespace behind a router namespace that masquerades
// its traffic, joined to the test's own namespace by a veth pair.
type NAT struct {
	// Server is the address of the test's own namespace on the link to the
	// router: serve there what the customer must reach.
	Server net.IP
	// Router sits between the two; Customer is the customer's machine.
	Router, Customer *NS

	customerLink string // the router's end of the customer link
	outerLink    string // the router's end of the link to the server
	serverLink   string // this namespace's end of the link to the router
	extra        byte   // server addresses added by AddServerAddress
	hasRules     bool
}

// NewNAT builds the network with policy on the router:
//
//	this namespace (Server, 10.R.1.1) ── router (10.R.1.2 | 10.R.2.1, NAT) ── customer (10.R.2.2)
//
// R is random so that concurrent tests do not collide. Addresses on the
// test's own side are removed with the router's namespace.
func NewNAT(t testing.TB, policy Policy) *NAT {
	t.Helper()
	Require(t)
	id := randomID()
	r := randomOctet()
	n := &NAT{
		Server:   net.IPv4(10, r, 1, 1).To4(),
		Router:   New(t, "llr"),
		Customer: New(t, "llc"),
	}
	up, down := "lls"+id, "llr"+id    // link to this namespace: our end, router's end
	inner, cust := "lli"+id, "llk"+id // link to the customer: router's end, customer's end
	n.customerLink, n.serverLink = inner, up
	sub := func(third, fourth int) string { return fmt.Sprintf("10.%d.%d.%d", r, third, fourth) }

	host(t, "ip", "link", "add", up, "type", "veth", "peer", "name", down)
	t.Cleanup(func() { _ = exec.Command("ip", "link", "del", up).Run() }) // gone with the router too
	host(t, "ip", "link", "set", down, "netns", n.Router.Name)
	host(t, "ip", "addr", "add", sub(1, 1)+"/24", "dev", up)
	hostLinkUp(t, up)

	n.Router.Run(t, "ip", "link", "add", inner, "type", "veth", "peer", "name", cust)
	n.Router.Run(t, "ip", "link", "set", cust, "netns", n.Customer.Name)
	n.Router.Run(t, "ip", "addr", "add", sub(1, 2)+"/24", "dev", down)
	n.Router.Run(t, "ip", "addr", "add", sub(2, 1)+"/24", "dev", inner)
	n.Router.Run(t, "ip", "link", "set", down, "up")
	n.Router.Run(t, "ip", "link", "set", inner, "up")
	n.Router.Run(t, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1")

	n.Customer.Run(t, "ip", "addr", "add", sub(2, 2)+"/24", "dev", cust)
	n.Customer.Run(t, "ip", "link", "set", cust, "up")
	n.Customer.Run(t, "ip", "route", "add", "default", "via", sub(2, 1))

	n.outerLink = down
	n.SetPolicy(t, policy)
	waitOperUp(t, up)
	return n
}

// SetPolicy replaces the router's rules. Connections the router already
// tracks keep flowing (established traffic is always accepted).
func (n *NAT) SetPolicy(t testing.TB, policy Policy) {
	t.Helper()
	allow := fmt.Sprintf(`iifname "%s" accept`, n.customerLink)
	switch policy {
	case TCPOnlyToServer:
		allow = fmt.Sprintf(`iifname "%s" ip daddr %s meta l4proto tcp accept`, n.customerLink, n.Server)
	case HTTPSOnly:
		allow = fmt.Sprintf(`iifname "%s" ip daddr %s/24 tcp dport 443 accept`, n.customerLink, n.Server.Mask(net.CIDRMask(24, 32)))
	case ProxyOnly:
		allow = fmt.Sprintf(`iifname "%s" ip daddr %s tcp dport %d accept`, n.customerLink, n.Server, ProxyPort)
	}
	var flush string
	if n.hasRules {
		flush = "delete table ip lifeline\n"
	}
	rules := flush + fmt.Sprintf(`
table ip lifeline {
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related accept
		%s
	}
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "%s" masquerade
	}
}
`, allow, n.outerLink)
	cmd := n.Router.Command("nft", "-f", "-")
	cmd.Stdin = strings.NewReader(rules)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("nft in %s: %v\n%s\n%s", n.Router.Name, err, out, rules)
	}
	n.hasRules = true
}

// ProxyAddr is where the office proxy listens under ProxyOnly (on Server).
func (n *NAT) ProxyAddr() string {
	return net.JoinHostPort(n.Server.String(), fmt.Sprint(ProxyPort))
}

// AddServerAddress gives the test's own namespace one more address on the
// link to the router (10.R.1.3, .4...), as a second public server address
// (a TURN server of its own on port 443 beside the HTTPS server).
func (n *NAT) AddServerAddress(t testing.TB) net.IP {
	t.Helper()
	n.extra++
	ip := net.IPv4(n.Server[0], n.Server[1], n.Server[2], 2+n.extra).To4()
	host(t, "ip", "addr", "add", ip.String()+"/24", "dev", n.serverLink)
	return ip
}

// CustomerIP is the customer's own (private) address.
func (n *NAT) CustomerIP() net.IP {
	return net.IPv4(10, n.Server[1], 2, 2).To4()
}

// SetLink cuts (up=false) or restores the customer's link to the router, as
// when a cable is pulled or Wi-Fi drops.
func (n *NAT) SetLink(t testing.TB, up bool) {
	t.Helper()
	state := "down"
	if up {
		state = "up"
	}
	n.Router.Run(t, "ip", "link", "set", n.customerLink, state)
}

// hostLinkUp brings up this namespace's end of a veth pair without the IPv6
// link-local address the kernel would otherwise add a second or two later,
// once duplicate address detection ends. A browser on this machine takes
// any address change for a new network and fails the requests it has in
// flight (Chromium's ERR_NETWORK_CHANGED: in CI the console's module
// scripts never loaded, a login POST was cancelled), so nothing on this
// side may change once the network is built and the browser starts.
func hostLinkUp(t testing.TB, link string) {
	t.Helper()
	host(t, "ip", "link", "set", link, "addrgenmode", "none")
	host(t, "ip", "link", "set", link, "up")
}

// waitOperUp waits until this namespace's link is up with its carrier (both
// ends of the pair up): the kernel reports the carrier late, and that
// report, too, must come before the browser starts (see hostLinkUp).
func waitOperUp(t testing.TB, link string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		state, err := os.ReadFile("/sys/class/net/" + link + "/operstate")
		if err == nil && strings.TrimSpace(string(state)) == "up" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("link %s is not up after 10 s (operstate %q, %v)", link, strings.TrimSpace(string(state)), err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func host(t testing.TB, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

func randomID() string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func randomOctet() byte {
	b := make([]byte, 1)
	_, _ = rand.Read(b)
	return 100 + b[0]%100
}
