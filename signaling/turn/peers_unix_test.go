//go:build unix

package turn

import (
	"net"
	"syscall"
	"testing"
	"time"
)

// Two peers both relayed through this server reach each other at its relay
// address, but a relay cannot reach anything else listening there.
func TestTURNRelayAddressReachesOnlyRelays(t *testing.T) {
	st := sessionStore(t, "sid-r")
	s := start(t, Config{Sessions: st}) // relay address 127.0.0.1
	a, err := turnClient(t, s, "sid-r").Allocate()
	if err != nil {
		t.Fatal(err)
	}
	bc := turnClient(t, s, "sid-r")
	b, err := bc.Allocate()
	if err != nil {
		t.Fatal(err)
	}
	if err := bc.CreatePermission(a.LocalAddr()); err != nil {
		t.Fatalf("permission for the other relay: %v", err)
	}
	service, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer service.Close()
	// The server relays A's sends in order, and loopback delivers at once:
	// once B has the second datagram, the first is wherever it will be.
	if _, err := a.WriteTo([]byte("to a service"), service.LocalAddr()); err != nil {
		t.Fatalf("send to the service: %v", err)
	}
	if _, err := a.WriteTo([]byte("to a relay"), b.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 100)
	_ = b.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, _, err := b.ReadFrom(buf)
	if err != nil || string(buf[:n]) != "to a relay" {
		t.Fatalf("relay to relay: %q, %v", buf[:n], err)
	}
	if n := pending(t, service); n > 0 {
		t.Fatalf("a relay reached a service on the server's address (%d bytes waiting)", n)
	}
}

// pending returns the size of the datagram waiting on conn, without waiting.
func pending(t *testing.T, conn net.PacketConn) int {
	t.Helper()
	raw, err := conn.(*net.UDPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	buf := make([]byte, 100)
	if err := raw.Read(func(fd uintptr) bool {
		n, _, _ = syscall.Recvfrom(int(fd), buf, syscall.MSG_DONTWAIT)
		return true
	}); err != nil {
		t.Fatal(err)
	}
	return max(n, 0)
}
