package e2e

import (
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/e2e/netns"
)

// A customer behind a firewall that lets only TCP out to the server still
// gets a session, through TURN over TCP, and the console says so; behind a
// home router (NAT, UDP allowed out) the same customer connects directly.
func TestNATTraversal(t *testing.T) {
	nat := netns.NewNAT(t, netns.TCPOnlyToServer)
	ip := nat.Server.String()
	stack := StartWith(t, Options{SignalingArgs: []string{"--addr", ip + ":0", "--turn-listen", ip + ":0"}})
	stack.Behind(nat.Customer)
	tech := stack.Technician(t)

	connectThrough(t, stack, tech, "Corporate Firewall", "relayed-tcp")
	nat.SetPolicy(t, netns.Permissive)
	connectThrough(t, stack, tech, "Home Router", "direct")
}

// The same strict firewall with coturn (Debian's package) as an external
// TURN server sharing the secret, and no embedded one.
func TestNATTraversalCoturn(t *testing.T) {
	if _, err := exec.LookPath("turnserver"); err != nil {
		t.Skip("coturn is not installed (go tool task deps installs it)")
	}
	nat := netns.NewNAT(t, netns.TCPOnlyToServer)
	ip := nat.Server.String()
	const secret = "e2e-coturn-secret"
	port, logs := coturn(t, ip, secret)
	turnURLs := fmt.Sprintf("turn:%s:%d?transport=udp,turn:%s:%d?transport=tcp", ip, port, ip, port)
	stack := StartWith(t, Options{SignalingArgs: []string{
		"--addr", ip + ":0", "--turn-listen", "", "--turn-url", turnURLs, "--turn-secret", secret}})
	stack.Behind(nat.Customer)
	tech := stack.Technician(t)
	connectThrough(t, stack, tech, "Corporate Firewall", "relayed-tcp")
	if !strings.Contains(logs.String(), "ALLOCATE processed, success") {
		t.Errorf("coturn allocated no relay:\n%s", logs.String())
	}
}

// connectThrough runs one session with a new customer and checks the path
// the console shows once the screen is live; the customer then ends it.
func connectThrough(t *testing.T, stack *Stack, tech *Technician, name, wantPath string) {
	t.Helper()
	inv := tech.NewSession(t, name)
	customer := stack.Customer(t, inv)
	customer.OpenPage(t)
	customer.Allow(t)
	tech.WaitVideo(t)
	// One-off figure for comparisons (direct, relayed, through a proxy).
	t.Logf("%s: agent start to first frame in %v", name, time.Since(customer.Started).Round(time.Millisecond))
	tech.WaitStatus(t, "Connected to "+name)
	path, shown := tech.WaitPath(t)
	t.Logf("%s: the console shows %q", name, shown)
	if path != wantPath {
		t.Errorf("%s: connection path %q (%q), want %q", name, path, shown, wantPath)
	}
	customer.End(t)
	customer.WaitExit(t)
}

// coturn runs Debian's TURN server on ip with TURN REST credentials (the
// shared secret) and returns its port and its log.
func coturn(t *testing.T, ip, secret string) (int, *lockedBuffer) {
	t.Helper()
	l, err := net.Listen("tcp", ip+":0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	dir := t.TempDir()
	logs := &lockedBuffer{}
	cmd := exec.Command("turnserver", "-n", "--no-cli", "--no-tls", "--no-dtls",
		"--listening-ip", ip, "--listening-port", fmt.Sprint(port), "--relay-ip", ip,
		"--use-auth-secret", "--static-auth-secret", secret, "--realm", "lifeline",
		"--log-file", "stdout", "--simple-log", "--verbose",
		"--pidfile", filepath.Join(dir, "pid"), "--db", filepath.Join(dir, "turndb"))
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("coturn log:\n%s", logs.String())
		}
	})
	waitFor(t, "coturn to listen", func() bool {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("%s:%d", ip, port), time.Second)
		if err == nil {
			c.Close()
		}
		return err == nil && strings.Contains(logs.String(), "relay "+ip)
	})
	return port, logs
}
