package session

import (
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/agent/consent"
	"github.com/lifeline-support/lifeline/agent/peer"
	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/signaling/server"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
	"github.com/lifeline-support/lifeline/signaling/sessions"
)

// The signaling server restarts mid-session: the agent reconnects by itself,
// proves it is the same agent with its secret, and the session comes back in
// the state it had (on hold here), with the same peer. A wrong secret is refused.
func TestAgentResumesAfterServerRestart(t *testing.T) {
	natsURL := natstest.Server(t)
	node := st.StartNode(t, natsURL, "node")
	tech := st.LogIn(t, node)
	sid, token, _ := tech.NewSession(t, "Marie")
	console := tech.Dial(t, "/ws/console")
	console.Expect(protocol.TypeConsoleWelcome)
	console.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{})
	console.Expect(protocol.TypeSessionState)

	ui, err := consent.New(consent.Config{Lang: i18n.EN})
	if err != nil {
		t.Fatal(err)
	}
	var peers atomic.Int32
	var logs lockedLog
	logs.dumpOnFailure(t)
	fp := &fakePeer{}
	runAgent(t, ui, Config{
		Server: node.URL, Code: token, Consent: ui, DeviceKey: "a device key of this test",
		Logger:       slog.New(slog.NewTextHandler(&logs, nil)),
		NewPeer:      func(c peer.Config) (Peer, error) { peers.Add(1); fp.cfg = c; return fp, nil },
		NewInjector:  func() (Injector, error) { return &fakeInjector{}, nil },
		PingInterval: 500 * time.Millisecond, MaxBackoff: 500 * time.Millisecond,
	})
	expectState := func(c *st.Conn, want string, connected bool) *protocol.SessionState {
		t.Helper()
		deadline := time.Now().Add(hang)
		for time.Now().Before(deadline) {
			s := c.Expect(protocol.TypeSessionState).Body.(*protocol.SessionState)
			if s.State == want && s.AgentConnected == connected {
				return s
			}
		}
		t.Fatalf("no state %s (connected %v)", want, connected)
		return nil
	}
	if s := expectState(console, "waiting", true); s.DeviceID != sessions.DeviceID("a device key of this test") || s.DeviceID == "" {
		t.Fatalf("device id %q", s.DeviceID)
	}
	console.Send(protocol.TypeSessionStart, sid, protocol.SessionStart{})
	expectState(console, "active", true)
	console.Send(protocol.TypeOffer, sid, protocol.Offer{SessionDescription: webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: "v=0"}})
	console.Expect(protocol.TypeAnswer)

	// Hold: no control can be asked for until the session resumes.
	console.Send(protocol.TypeSessionHold, sid, protocol.SessionHold{On: true})
	expectState(console, "on_hold", true)
	console.Send(protocol.TypePermissionRequest, sid, protocol.PermissionRequest{Permission: protocol.PermissionControl})
	if e := console.Expect(protocol.TypeError).Body.(*protocol.Error); e.Code != protocol.CodeForbidden {
		t.Fatalf("control on hold: %+v", e)
	}

	// Restart signaling on the same address and the same NATS.
	addr := strings.TrimPrefix(node.URL, "http://")
	node.Stop()
	node = st.StartNode(t, natsURL, "node", func(c *server.Config) { c.Addr = addr })
	console = tech.Dial(t, "/ws/console")
	console.Expect(protocol.TypeConsoleWelcome)
	console.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{})
	expectState(console, "on_hold", true)
	waitUntil(t, "the agent resumed", func() bool { return logs.has("session resumed") })
	if n := peers.Load(); n != 1 {
		t.Fatalf("%d peers: the restart replaced the peer-to-peer connection", n)
	}
	// An ICE restart renegotiates the same peer.
	console.Send(protocol.TypeOffer, sid, protocol.Offer{SessionDescription: webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: "v=0"}, Restart: true})
	console.Expect(protocol.TypeAnswer)
	if n := peers.Load(); n != 1 {
		t.Fatalf("%d peers after an ICE restart, want 1", n)
	}
	console.Send(protocol.TypeSessionHold, sid, protocol.SessionHold{On: false})
	expectState(console, "active", true)

	// Someone who only knows the session ID cannot take the agent's place.
	impostor := st.Dial(t, node.URL+"/ws/agent", nil)
	impostor.Send(protocol.TypeAgentHello, "", protocol.AgentHello{SID: sid, Secret: "guessed"})
	if e := impostor.Expect(protocol.TypeError).Body.(*protocol.Error); e.Code != protocol.CodeInvalidCode {
		t.Fatalf("impostor: %+v", e)
	}
}

type lockedLog struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (l *lockedLog) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(b)
}

// dumpOnFailure prints the agent's log when the test fails.
func (l *lockedLog) dumpOnFailure(t *testing.T) {
	t.Cleanup(func() {
		if t.Failed() {
			l.mu.Lock()
			defer l.mu.Unlock()
			t.Logf("agent log:\n%s", l.buf.String())
		}
	})
}

func (l *lockedLog) has(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Contains(l.buf.String(), s)
}
