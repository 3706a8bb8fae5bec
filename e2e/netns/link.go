package netns

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Impairment is what the customer's link does to traffic, like a slow or
// lossy real network. Rates use tbf (this kernel has no netem); delay,
// jitter and loss use the impair program through netfilter queues.
type Impairment struct {
	// Up and Down are the link's rates in bit/s from and to the customer;
	// 0 is unlimited.
	Up, Down int
	// RTT is the round trip added, half each way; Jitter varies it by up to
	// that much either way (half each way), without reordering.
	RTT, Jitter time.Duration
	// Loss is the share of packets lost, in each direction.
	Loss float64
	// TCPOnly drops the customer's UDP, so media must go through TURN over
	// TCP.
	TCPOnly bool
}

// Link is a customer namespace joined to the test's own namespace by one
// impaired veth pair, with no NAT:
//
//	this namespace (Server, 198.51.100.4k+1) ── customer (198.51.100.4k+2)
type Link struct {
	// Server is this namespace's address on the link: serve there what the
	// customer must reach.
	Server net.IP
	// Customer is the customer's machine.
	Customer *NS

	host, cust string // the two ends of the veth pair
	impair     *exec.Cmd
	done       chan struct{}
}

// Netfilter queues of the customer's namespace: what it sends, what it gets.
const queueOut, queueIn = 0, 1

// NewLink builds the link and applies imp. A random /30 of TEST-NET-2 keeps
// concurrent tests apart.
func NewLink(t testing.TB, imp Impairment) *Link {
	t.Helper()
	Require(t)
	requireTools(t)
	id := randomID()
	l := &Link{Customer: New(t, "lli"), host: "llh" + id, cust: "llc" + id}
	var k byte
	for tries := 0; ; tries++ {
		k = randomOctet() % 64
		if !addressInUse(net.IPv4(198, 51, 100, 4*k+1)) || tries > 20 {
			break
		}
	}
	l.Server = net.IPv4(198, 51, 100, 4*k+1).To4()
	customer := net.IPv4(198, 51, 100, 4*k+2).String()

	host(t, "ip", "link", "add", l.host, "type", "veth", "peer", "name", l.cust)
	t.Cleanup(func() { _ = exec.Command("ip", "link", "del", l.host).Run() })
	host(t, "ip", "link", "set", l.cust, "netns", l.Customer.Name)
	host(t, "ip", "addr", "add", l.Server.String()+"/30", "dev", l.host)
	hostLinkUp(t, l.host)
	l.Customer.Run(t, "ip", "addr", "add", customer+"/30", "dev", l.cust)
	l.Customer.Run(t, "ip", "link", "set", l.cust, "up")
	l.Customer.Run(t, "ip", "route", "add", "default", "via", l.Server.String())
	waitOperUp(t, l.host)
	t.Cleanup(l.stopImpair)
	l.Set(t, imp)
	return l
}

// CustomerIP is the customer's address.
func (l *Link) CustomerIP() net.IP {
	ip := l.Server.To4()
	return net.IPv4(ip[0], ip[1], ip[2], ip[3]+1).To4()
}

// Set replaces the link's impairment. Packets on their way when it changes
// may be lost.
func (l *Link) Set(t testing.TB, imp Impairment) {
	t.Helper()
	rate(t, l.Customer.Command, l.cust, imp.Up)
	rate(t, exec.Command, l.host, imp.Down)

	l.stopImpair()
	l.startImpair(t, imp)

	// Everything the customer sends or gets on the link goes through the
	// queues; no bypass, so without impair nothing passes. TCPOnly drops UDP
	// first. (iptables: this kernel's nftables has no queue statement, only
	// the xtables NFQUEUE target.)
	ns := l.Customer
	ns.Run(t, "iptables", "-F", "OUTPUT")
	ns.Run(t, "iptables", "-F", "INPUT")
	if imp.TCPOnly {
		ns.Run(t, "iptables", "-A", "OUTPUT", "-o", l.cust, "-p", "udp", "-j", "DROP")
		ns.Run(t, "iptables", "-A", "INPUT", "-i", l.cust, "-p", "udp", "-j", "DROP")
	}
	ns.Run(t, "iptables", "-A", "OUTPUT", "-o", l.cust, "-j", "NFQUEUE", "--queue-num", fmt.Sprint(queueOut))
	ns.Run(t, "iptables", "-A", "INPUT", "-i", l.cust, "-j", "NFQUEUE", "--queue-num", fmt.Sprint(queueIn))
}

// StopImpair ends the impair program, as if it crashed: the link must then
// carry nothing.
func (l *Link) StopImpair(t testing.TB) {
	t.Helper()
	l.stopImpair()
}

func (l *Link) startImpair(t testing.TB, imp Impairment) {
	t.Helper()
	bin := impairBinary(t)
	l.impair = l.Customer.Command(bin, "-queues", fmt.Sprintf("%d,%d", queueOut, queueIn),
		"-delay", (imp.RTT / 2).String(), "-jitter", (imp.Jitter / 2).String(), "-loss", fmt.Sprint(imp.Loss))
	l.impair.Stderr = os.Stderr
	out, err := l.impair.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := l.impair.Start(); err != nil {
		t.Fatalf("start impair: %v", err)
	}
	ready, done := make(chan struct{}), make(chan struct{})
	l.done = done
	cmd := l.impair
	go func() {
		defer close(done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if sc.Text() == "ready" {
				close(ready)
			}
		}
		_ = cmd.Wait()
	}()
	select {
	case <-ready:
	case <-done:
		t.Fatal("impair exited before it held its queues")
	case <-time.After(30 * time.Second):
		t.Fatal("impair did not start")
	}
}

func (l *Link) stopImpair() {
	if l.impair == nil {
		return
	}
	_ = l.impair.Process.Kill()
	<-l.done
	l.impair = nil
}

// rate limits dev's egress to bits per second with tbf (a queue of about
// 300 ms, like a modem's), or removes the limit for 0.
func rate(t testing.TB, command func(string, ...string) *exec.Cmd, dev string, bits int) {
	t.Helper()
	if bits == 0 {
		_ = command("tc", "qdisc", "del", "dev", dev, "root").Run()
		return
	}
	burst := max(4000, bits/8/50) // at least a few packets, or 20 ms at the rate
	args := []string{"qdisc", "replace", "dev", dev, "root", "tbf", "rate", fmt.Sprintf("%dbit", bits),
		"burst", fmt.Sprint(burst), "latency", "300ms"}
	if out, err := command("tc", args...).CombinedOutput(); err != nil {
		t.Fatalf("tc %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func requireTools(t testing.TB) {
	t.Helper()
	for _, tool := range []string{"tc", "iptables"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (go tool task deps installs iproute2 and iptables)", tool)
		}
	}
}

// addressInUse reports whether ip is already on one of this namespace's
// interfaces.
func addressInUse(ip net.IP) bool {
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.Contains(ip) {
			return true
		}
	}
	return false
}

var (
	impairOnce sync.Once
	impairBin  string
	impairErr  error
)

// impairBinary builds the impair program once per test process.
func impairBinary(t testing.TB) string {
	t.Helper()
	impairOnce.Do(func() {
		dir, err := os.MkdirTemp("", "lifeline-impair")
		if err != nil {
			impairErr = err
			return
		}
		impairBin = filepath.Join(dir, "impair")
		out, err := exec.Command("go", "build", "-o", impairBin, "github.com/lifeline-support/lifeline/e2e/netns/impair").CombinedOutput()
		if err != nil {
			impairErr = fmt.Errorf("build impair: %v\n%s", err, out)
		}
	})
	if impairErr != nil {
		t.Fatal(impairErr)
	}
	return impairBin
}
