package server_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/protocol"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
	"github.com/lifeline-support/lifeline/signaling/sessions"
)

// The agent's welcome is the first message on its socket, whatever is sent
// for the agent meanwhile. The hub listens for the agent's messages before it
// has welcomed the agent (so that nothing is lost) and the technician hears
// that the agent is there before the welcome goes; an offer sent at once (as
// every console does) used to overtake the welcome, and the agent, still
// waiting for its welcome, skipped it and never answered: the flake of
// TestAgentEnforcesTheCustomersGrants and TestAgentResumesAfterServerRestart
// in agent/session. Checked for a first join and for a resumption.
func TestAgentWelcomeComesFirst(t *testing.T) {
	natsURL := natstest.Server(t)
	n := st.StartNode(t, natsURL, "node")
	admin := st.LogIn(t, n)
	sid, token, _ := admin.NewSession(t, "Marie Dupont")
	nc, err := nats.Connect(natsURL)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	offer, err := protocol.Encode(protocol.TypeOffer, "", sid, protocol.Offer{SessionDescription: webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: "v=0"}})
	if err != nil {
		t.Fatal(err)
	}

	// joinWhileOffering says hello while offers are sent for the agent again
	// and again, by several senders (as the session service delivers: NATS
	// answers "no responders" while no socket of the agent listens), until a
	// socket took one from each: the first offers that can reach the agent
	// are sent at once.
	joinWhileOffering := func(h protocol.AgentHello) (*st.Conn, protocol.Message) {
		t.Helper()
		const senders = 8
		none, took := make(chan struct{}, senders), make(chan error, senders)
		for range senders {
			go func() {
				deadline := time.Now().Add(hang)
				listened := false // NATS said no socket listens
				for time.Now().Before(deadline) {
					_, err := nc.Request(sessions.AgentSubject(sid), offer, 500*time.Millisecond)
					switch {
					case errors.Is(err, nats.ErrNoResponders):
						if !listened {
							listened = true
							none <- struct{}{}
						}
					case errors.Is(err, nats.ErrTimeout):
						// Sent to the previous agent's socket as it went
						// away (NATS drops what an unsubscribe leaves), or
						// held by a slow node: sent again.
					case err != nil:
						took <- err
						return
					case listened:
						took <- nil
						return
					}
					// Taken before no socket listened: the previous agent's
					// socket was still going away.
				}
				took <- fmt.Errorf("no socket took an offer within %v", hang)
			}()
		}
		for range senders {
			select {
			case <-none:
			case err := <-took:
				t.Fatal(err)
			}
		}
		agent := st.Dial(t, n.URL+"/ws/agent", nil)
		agent.Send(protocol.TypeAgentHello, "", h)
		first, err := agent.Read(hang)
		if err != nil {
			t.Fatalf("the agent heard nothing: %v", err)
		}
		for range senders {
			if err := <-took; err != nil {
				t.Fatal(err)
			}
		}
		if first.Type != protocol.TypeAgentWelcome {
			t.Fatalf("the agent's first message is %s, not its welcome", first.Type)
		}
		// Nothing sent for the agent is lost either: the offer follows.
		if m := agent.Expect(protocol.TypeOffer); m.SID != sid {
			t.Fatalf("offer for session %q", m.SID)
		}
		return agent, first
	}

	// A few rounds, as the race was lost only now and then.
	agent, first := joinWhileOffering(protocol.AgentHello{Code: token, Hostname: "marie-pc"})
	secret := first.Body.(*protocol.AgentWelcome).Secret
	for range 9 {
		agent.Close()
		agent, _ = joinWhileOffering(protocol.AgentHello{SID: sid, Secret: secret, Hostname: "marie-pc"})
	}
}

const hang = 15 * time.Second
