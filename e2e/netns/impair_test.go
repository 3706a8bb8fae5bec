package netns

import (
	"net"
	"slices"
	"testing"
	"time"
)

// A 40 ms round trip through the impair program is at least 35 ms on a UDP
// echo (no upper bound: the machine may be busy).
func TestImpairDelay(t *testing.T) {
	l := NewLink(t, Impairment{RTT: 40 * time.Millisecond})
	addr := echo(t, l.Server)
	c, err := l.Customer.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var rtts []time.Duration
	buf := make([]byte, 16)
	for range 20 {
		start := time.Now()
		if _, err := c.Write([]byte("ping")); err != nil {
			t.Fatal(err)
		}
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		if _, err := c.Read(buf); err != nil {
			t.Fatalf("no echo through the link: %v", err)
		}
		rtts = append(rtts, time.Since(start))
	}
	slices.Sort(rtts)
	t.Logf("round trips: min %v, median %v", rtts[0], rtts[len(rtts)/2])
	if rtts[0] < 35*time.Millisecond {
		t.Errorf("shortest round trip %v with a 40 ms delay, want ≥ 35 ms", rtts[0])
	}
}

// With 50 % loss, between 30 and 70 % of 200 packets from the customer are
// lost on the way.
func TestImpairLoss(t *testing.T) {
	l := NewLink(t, Impairment{Loss: 0.5})
	pc, err := net.ListenPacket("udp4", net.JoinHostPort(l.Server.String(), "0"))
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	c, err := l.Customer.Dial("udp", pc.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	const sent = 200
	got := make(chan int)
	go func() {
		n, buf := 0, make([]byte, 16)
		for {
			pc.SetReadDeadline(time.Now().Add(time.Second))
			if _, _, err := pc.ReadFrom(buf); err != nil {
				got <- n
				return
			}
			n++
		}
	}()
	for range sent {
		if _, err := c.Write([]byte("packet")); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond) // not a burst bigger than the veth's queue
	}
	lost := sent - <-got
	t.Logf("%d of %d packets lost", lost, sent)
	if lost < sent*30/100 || lost > sent*70/100 {
		t.Errorf("%d of %d packets lost with 50 %% loss, want 30 to 70 %%", lost, sent)
	}
}

// When the impair program dies, the link carries nothing: it fails closed,
// never unimpaired.
func TestImpairFailsClosed(t *testing.T) {
	l := NewLink(t, Impairment{RTT: 10 * time.Millisecond})
	ln, err := net.Listen("tcp", net.JoinHostPort(l.Server.String(), "0"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := l.Customer.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatalf("through the link while impair runs: %v", err)
	}
	c.Close()
	l.StopImpair(t)
	if c, err := l.Customer.Dial("tcp", ln.Addr().String()); err == nil {
		c.Close()
		t.Fatal("the customer still reaches the server with impair stopped")
	}
}

// A 1 Mbit/s uplink takes at least 1.5 s to carry 250 kB (2 s at the rate).
func TestImpairRate(t *testing.T) {
	l := NewLink(t, Impairment{Up: 1_000_000})
	ln, err := net.Listen("tcp", net.JoinHostPort(l.Server.String(), "0"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	const size = 250_000
	done := make(chan time.Time, 1)
	go func() {
		s, err := ln.Accept()
		if err != nil {
			done <- time.Time{}
			return
		}
		defer s.Close()
		buf, n := make([]byte, 32<<10), 0
		for n < size {
			m, err := s.Read(buf)
			if err != nil {
				break
			}
			n += m
		}
		done <- time.Now()
	}()
	c, err := l.Customer.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	if _, err := c.Write(make([]byte, size)); err != nil {
		t.Fatal(err)
	}
	took := (<-done).Sub(start)
	t.Logf("250 kB up in %v", took)
	if took < 1500*time.Millisecond {
		t.Errorf("250 kB crossed a 1 Mbit/s uplink in %v, want ≥ 1.5 s", took)
	}
}

// echo answers UDP packets on ip and returns its address.
func echo(t *testing.T, ip net.IP) string {
	t.Helper()
	pc, err := net.ListenPacket("udp4", net.JoinHostPort(ip.String(), "0"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			_, _ = pc.WriteTo(buf[:n], from)
		}
	}()
	return pc.LocalAddr().String()
}
