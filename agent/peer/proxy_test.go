package peer

import (
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/agent/proxy"
)

// A TURN server that is being dialled and never answers (a firewall that
// drops the packets, a proxy that says nothing) must not hold the peer's
// close: pion's ICE agent waits for its dials before it closes, and behind
// an HTTPS-only office the agent took minutes to exit.
func TestCloseWhileTURNDialHangs(t *testing.T) {
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		dials atomic.Int32
		mu    sync.Mutex
		held  []net.Conn
	)
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c) // read nothing, answer nothing
			mu.Unlock()
			dials.Add(1)
		}
	}()
	t.Cleanup(func() {
		silent.Close()
		mu.Lock()
		for _, c := range held {
			c.Close()
		}
		mu.Unlock()
	})
	d, err := proxy.New(proxy.Settings{URL: "http://" + silent.Addr().String(), Env: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	s := connect(t, Config{Source: newFakeScreen(30), Proxy: d, ICEServers: []webrtc.ICEServer{{
		URLs: []string{"turn:turn.test:3478?transport=tcp", "turns:turn.test:443?transport=tcp"}, Username: "u", Credential: "p"}}})
	waitState(t, s.states, webrtc.PeerConnectionStateConnected)
	deadline := time.Now().Add(hangGuard)
	for dials.Load() < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("the TURN servers were not dialled through the proxy (%d dials)", dials.Load())
		}
		time.Sleep(5 * time.Millisecond)
	}
	start := time.Now()
	if err := s.peer.Close(); err != nil {
		t.Fatal(err)
	}
	// The dial's own timeout is 10 s; closing must not wait for it.
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("Close took %v while a TURN server was being dialled", took)
	}
	s.close(t)
}
