package server_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/server"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// dialAgent opens /ws/agent without saying hello; it returns the socket, or
// the HTTP status that refused it.
func dialAgent(t testing.TB, base string) (*websocket.Conn, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ws, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/ws/agent", nil)
	if err != nil {
		if resp != nil {
			return nil, resp.StatusCode
		}
		t.Fatalf("dial: %v", err)
	}
	return ws, http.StatusSwitchingProtocols
}

// TestUnauthenticatedAgentSocketsBounded: one address cannot hold more than
// a few sockets that have not said hello, nor can everyone together hold
// more than the node's bound; the refused get HTTP 429 or 503 before any
// WebSocket is set up, and a socket that says hello frees its place.
func TestUnauthenticatedAgentSocketsBounded(t *testing.T) {
	natsURL := natstest.Server(t)
	n := st.StartNode(t, natsURL, "node")
	var held []*websocket.Conn
	defer func() {
		for _, ws := range held {
			ws.CloseNow()
		}
	}()
	for i := range 200 {
		ws, code := dialAgent(t, n.URL)
		if ws == nil {
			if code != http.StatusTooManyRequests {
				t.Fatalf("socket %d refused with HTTP %d, want 429", i+1, code)
			}
			break
		}
		held = append(held, ws)
	}
	if len(held) == 200 || len(held) < 4 {
		t.Fatalf("one address held %d sockets without hello; want a small bound", len(held))
	}
	// A socket that says hello (even with a wrong code) is answered and no
	// longer waits: its place goes to the next.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	b, _ := protocol.Encode(protocol.TypeAgentHello, "1", "", protocol.AgentHello{Code: "not-a-code"})
	if err := held[0].Write(ctx, websocket.MessageText, b); err != nil {
		t.Fatal(err)
	}
	for {
		if _, _, err := held[0].Read(ctx); err != nil {
			break // answered and closed
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		ws, code := dialAgent(t, n.URL)
		if ws != nil {
			held = append(held, ws)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after a hello the next socket is still refused (HTTP %d)", code)
		}
		time.Sleep(20 * time.Millisecond) // polling for the server to see the close
	}

	// The node's total bound holds whatever the addresses.
	m := st.StartNode(t, natsURL, "small", func(c *server.Config) { c.MaxPendingAgents, c.MaxPendingAgentsPerAddress = 3, 100 })
	for i := range 3 {
		ws, code := dialAgent(t, m.URL)
		if ws == nil {
			t.Fatalf("socket %d of 3 refused: HTTP %d", i+1, code)
		}
		held = append(held, ws)
	}
	if ws, code := dialAgent(t, m.URL); ws != nil || code != http.StatusServiceUnavailable {
		t.Fatalf("fourth socket over a bound of 3: HTTP %d, want 503", code)
	}
}

// TestAgentHelloDeadline: a socket that never says hello is told so and
// closed within a few seconds, not left holding memory.
func TestAgentHelloDeadline(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node")
	ws, code := dialAgent(t, n.URL)
	if ws == nil {
		t.Fatalf("HTTP %d", code)
	}
	defer ws.CloseNow()
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var closed error
	for {
		_, _, err := ws.Read(ctx)
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				t.Fatal("the server never closed a silent socket")
			}
			closed = err
			break
		}
	}
	took := time.Since(start)
	var ce websocket.CloseError
	if !errors.As(closed, &ce) || ce.Code != websocket.StatusPolicyViolation || !strings.Contains(ce.Reason, "agent.hello") {
		t.Errorf("the socket ended with %v; want a close saying agent.hello was missing", closed)
	}
	// The default deadline is 5 s; allow for a loaded machine, but well under
	// the 15 s it was.
	if took > 10*time.Second {
		t.Fatalf("a silent socket was closed after %v; want the hello deadline of a few seconds", took)
	}
	t.Logf("silent socket closed after %v", took.Round(10*time.Millisecond))
}

// heapBytes reads the live heap, what the runtime holds, and what it has
// given back to the system.
func heapBytes() (objects, total, released uint64) {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64(), s[1].Value.Uint64(), s[2].Value.Uint64()
}

// TestAgentSocketFloodMemoryComesBack: a flood of sockets that never say
// hello (bounds raised so all are accepted) leaves nothing behind once they
// close: the goroutines end and the live heap returns to where it was. The
// numbers are logged; only the leak is asserted.
func TestAgentSocketFloodMemoryComesBack(t *testing.T) {
	const flood = 1000
	n := st.StartNode(t, natstest.Server(t), "node", func(c *server.Config) {
		c.MaxPendingAgents, c.MaxPendingAgentsPerAddress = flood, flood
	})
	settle := func() {
		runtime.GC()
		debug.FreeOSMemory()
	}
	settle()
	goroutines := runtime.NumGoroutine()
	obj0, total0, _ := heapBytes()
	socks := make([]*websocket.Conn, 0, flood)
	for range flood {
		ws, code := dialAgent(t, n.URL)
		if ws == nil {
			t.Fatalf("socket %d refused: HTTP %d", len(socks)+1, code)
		}
		socks = append(socks, ws)
	}
	runtime.GC()
	obj1, total1, _ := heapBytes()
	for _, ws := range socks {
		ws.CloseNow()
	}
	socks = nil
	deadline := time.Now().Add(60 * time.Second)
	for runtime.NumGoroutine() > goroutines+10 {
		if time.Now().After(deadline) {
			t.Fatalf("goroutines: %d before the flood, %d a minute after it closed", goroutines, runtime.NumGoroutine())
		}
		time.Sleep(50 * time.Millisecond) // polling the goroutine count
	}
	settle()
	obj2, total2, released := heapBytes()
	mb := func(b uint64) float64 { return float64(b) / (1 << 20) }
	t.Logf("%d sockets (server and client in this process): live heap %.1f → %.1f → %.1f MB; mapped by the runtime %.1f → %.1f → %.1f MB, of which %.1f MB given back to the OS after the flood (held: %.1f MB)",
		flood, mb(obj0), mb(obj1), mb(obj2), mb(total0), mb(total1), mb(total2), mb(released), mb(total2-released))
	if obj2 > obj0+16<<20 {
		t.Fatalf("live heap %.1f MB after the flood closed, %.1f MB before: a leak", mb(obj2), mb(obj0))
	}
}

// TestAgentSocketBoundCountsIPv6By64: one IPv6 host has a /64 of addresses;
// the bound on sockets before hello counts them as one client, as the PIN
// limits do, so a host cannot fill the node's bound by changing address.
func TestAgentSocketBoundCountsIPv6By64(t *testing.T) {
	lo, err := auth.ParseProxy("127.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	n := st.StartNode(t, natstest.Server(t), "node", func(c *server.Config) { c.TrustedProxies = auth.Proxies{lo} })
	var held []*websocket.Conn
	defer func() {
		for _, ws := range held {
			ws.CloseNow()
		}
	}()
	for i := range 100 {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		h := http.Header{"X-Forwarded-For": {fmt.Sprintf("2001:db8:1:2::%x", i+1)}}
		ws, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(n.URL, "http")+"/ws/agent", &websocket.DialOptions{HTTPHeader: h})
		cancel()
		if err != nil {
			if resp == nil || resp.StatusCode != http.StatusTooManyRequests {
				t.Fatalf("socket %d: %v", i+1, err)
			}
			break
		}
		held = append(held, ws)
	}
	if len(held) == 100 || len(held) < 4 {
		t.Fatalf("one /64 held %d sockets without hello from 100 addresses; want the per-client bound", len(held))
	}
}
