package server_test

import (
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/protocol"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// expectRefusal reads console c's messages until the refusal of message id.
func expectRefusal(t *testing.T, c *st.Conn, id string) *protocol.Error {
	t.Helper()
	for {
		m := c.Expect(protocol.TypeError)
		if m.ID == id {
			return m.Body.(*protocol.Error)
		}
	}
}

// TestSecondConsoleMayNotOfferUntilItTakesOver (issue 20, defect 1): two
// consoles of one technician on one session. The one that opened it first
// holds its peer connection; the second may look but its offer, candidates
// and requests to the customer are refused (open_elsewhere) until it takes
// over; then the first one's are, and every console hears who holds it.
func TestSecondConsoleMayNotOfferUntilItTakesOver(t *testing.T) {
	natsURL := natstest.Server(t)
	node := st.StartNode(t, natsURL, "node")
	tech := st.LogIn(t, node)
	sid, token, _ := tech.NewSession(t, "Marie")
	agent := st.Dial(t, node.URL+"/ws/agent", nil)
	agent.Send(protocol.TypeAgentHello, "", protocol.AgentHello{Code: token, Hostname: "marie-pc", OS: "linux"})
	agent.Expect(protocol.TypeAgentWelcome)

	first := tech.Dial(t, "/ws/console")
	firstID := first.Expect(protocol.TypeConsoleWelcome).Body.(*protocol.ConsoleWelcome).Console
	first.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{Tab: "tab-1"})
	if s := first.Expect(protocol.TypeSessionState).Body.(*protocol.SessionState); firstID == "" || s.Console != firstID {
		t.Fatalf("the first console (%q) opened the session; its state names %q", firstID, s.Console)
	}

	second := tech.Dial(t, "/ws/console")
	secondID := second.Expect(protocol.TypeConsoleWelcome).Body.(*protocol.ConsoleWelcome).Console
	second.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{Tab: "tab-2"})
	if s := second.Expect(protocol.TypeSessionState).Body.(*protocol.SessionState); s.Console != firstID {
		t.Fatalf("opening it in a second tab took it: the state names %q, want the first console %q", s.Console, firstID)
	}
	offer := protocol.Offer{SessionDescription: webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: "v=0 fake"}}
	for _, m := range []struct {
		typ  protocol.Type
		body any
	}{
		{protocol.TypeOffer, offer},
		{protocol.TypeCandidate, map[string]string{"candidate": "candidate:1 1 udp 1 127.0.0.1 9 typ host"}},
		{protocol.TypePermissionRequest, protocol.PermissionRequest{Permission: protocol.PermissionControl}},
	} {
		id := second.Send(m.typ, sid, m.body)
		if e := expectRefusal(t, second, id); e.Code != protocol.CodeOpenElsewhere {
			t.Fatalf("the second console's %s: %+v, want %s", m.typ, e, protocol.CodeOpenElsewhere)
		}
	}
	first.Send(protocol.TypeOffer, sid, offer)
	agent.Expect(protocol.TypeOffer)

	// "Use it here": the second console takes over; the first hears it.
	second.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{Tab: "tab-2", Takeover: true})
	for {
		if s := first.Expect(protocol.TypeSessionState).Body.(*protocol.SessionState); s.Console == secondID {
			break
		}
	}
	id := first.Send(protocol.TypeOffer, sid, offer)
	if e := expectRefusal(t, first, id); e.Code != protocol.CodeOpenElsewhere {
		t.Fatalf("the first console's offer after the takeover: %+v", e)
	}
	// The trail says who took it over (the technician, from another tab).
	taken := false
	for _, e := range readTrail(t, natsURL) {
		taken = taken || (e.Type == "session.taken_over" && e.SessionID == sid && e.Actor == "admin")
	}
	if !taken {
		t.Fatal("the takeover is not in the audit trail")
	}
	second.Send(protocol.TypeOffer, sid, offer)
	agent.Expect(protocol.TypeOffer)

	// The first console's tab reloaded (same tab, new socket) does not take
	// it back without asking; closing the holder's socket lets go of it.
	again := tech.Dial(t, "/ws/console")
	againID := again.Expect(protocol.TypeConsoleWelcome).Body.(*protocol.ConsoleWelcome).Console
	again.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{Tab: "tab-1"})
	if s := again.Expect(protocol.TypeSessionState).Body.(*protocol.SessionState); s.Console != secondID {
		t.Fatalf("a reload of the first tab took the session back: %q", s.Console)
	}
	second.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		again.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{Tab: "tab-1"})
		if s := again.Expect(protocol.TypeSessionState).Body.(*protocol.SessionState); s.Console == againID {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the session stayed held by a console whose socket closed")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestCandidatesFromAConsoleThatDoesNotHoldTheSessionAreRefused: while
// nobody holds a session's peer connection (no console opened it yet, or its
// holder's socket closed), a console that does not hold it sends ICE
// candidates: they are refused (open_elsewhere) and never reach the agent.
// An offer claims the session for its console; only then do that console's
// candidates pass, and another console's are refused.
func TestCandidatesFromAConsoleThatDoesNotHoldTheSessionAreRefused(t *testing.T) {
	natsURL := natstest.Server(t)
	node := st.StartNode(t, natsURL, "node")
	tech := st.LogIn(t, node)
	sid, token, _ := tech.NewSession(t, "Marie")
	agent := st.Dial(t, node.URL+"/ws/agent", nil)
	agent.Send(protocol.TypeAgentHello, "", protocol.AgentHello{Code: token, Hostname: "marie-pc", OS: "linux"})
	agent.Expect(protocol.TypeAgentWelcome)

	stranger := tech.Dial(t, "/ws/console")
	stranger.Expect(protocol.TypeConsoleWelcome)
	candidate := map[string]string{"candidate": "candidate:1 1 udp 1 192.0.2.66 9 typ host"}
	id := stranger.Send(protocol.TypeCandidate, sid, candidate)
	if e := expectRefusal(t, stranger, id); e.Code != protocol.CodeOpenElsewhere {
		t.Fatalf("a candidate from a console that does not hold the session (nobody does): %+v, want %s", e, protocol.CodeOpenElsewhere)
	}

	holder := tech.Dial(t, "/ws/console")
	holder.Expect(protocol.TypeConsoleWelcome)
	offer := protocol.Offer{SessionDescription: webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: "v=0 fake"}}
	holder.Send(protocol.TypeOffer, sid, offer)
	holder.Send(protocol.TypeCandidate, sid, map[string]string{"candidate": "candidate:2 1 udp 1 192.0.2.7 9 typ host"})
	id = stranger.Send(protocol.TypeCandidate, sid, candidate)
	if e := expectRefusal(t, stranger, id); e.Code != protocol.CodeOpenElsewhere {
		t.Fatalf("a candidate from a console that does not hold the session (another does): %+v, want %s", e, protocol.CodeOpenElsewhere)
	}
	// The agent hears the holder's offer and candidate, in order, and
	// nothing of the stranger's.
	var got []string
	for len(got) < 2 {
		m, err := agent.Read(10 * time.Second)
		if err != nil {
			t.Fatalf("agent heard %v, then: %v", got, err)
		}
		switch b := m.Body.(type) {
		case *protocol.Offer:
			got = append(got, "offer")
		case *protocol.Candidate:
			got = append(got, b.Candidate)
		}
	}
	if got[0] != "offer" || got[1] != "candidate:2 1 udp 1 192.0.2.7 9 typ host" {
		t.Fatalf("the agent heard %q, want the holder's offer then its candidate", got)
	}
	id = stranger.Send(protocol.TypeCandidate, sid, candidate)
	expectRefusal(t, stranger, id)
	holder.Send(protocol.TypeCandidate, sid, map[string]string{"candidate": "candidate:3 1 udp 1 192.0.2.7 10 typ host"})
	for {
		m, err := agent.Read(10 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if b, ok := m.Body.(*protocol.Candidate); ok {
			if b.Candidate != "candidate:3 1 udp 1 192.0.2.7 10 typ host" {
				t.Fatalf("the agent heard candidate %q, want only the holder's", b.Candidate)
			}
			break
		}
	}
}
