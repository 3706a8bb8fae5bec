package session

import (
	"log/slog"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/agent/consent"
	"github.com/lifeline-support/lifeline/agent/peer"
	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/signaling/server"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// The agent's node dies for good: the agent resumes the session through
// another node the welcome named, and the technician's console (on that
// other node) sees it back.
func TestAgentFailsOverToAnotherNode(t *testing.T) {
	natsURL := natstest.Server(t)
	b := st.StartNode(t, natsURL, "node-b")
	a := st.StartNode(t, natsURL, "node-a", func(c *server.Config) { c.AgentURLs = []string{"not a url", b.URL} })
	tech := st.LogIn(t, b)
	sid, token, _ := tech.NewSession(t, "Marie")
	console := tech.Dial(t, "/ws/console")
	console.Expect(protocol.TypeConsoleWelcome)
	console.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{})

	var logs lockedLog
	logs.dumpOnFailure(t)
	ui, err := consent.New(consent.Config{Lang: i18n.EN, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	done := runAgent(t, ui, Config{
		Server: a.URL, Code: token, Consent: ui,
		Logger:       slog.New(slog.NewTextHandler(&logs, nil)),
		NewPeer:      func(c peer.Config) (Peer, error) { return &fakePeer{}, nil },
		NewInjector:  func() (Injector, error) { return &fakeInjector{}, nil },
		PingInterval: 500 * time.Millisecond, MaxBackoff: 500 * time.Millisecond,
	})
	waitAgent := func(connected bool) {
		t.Helper()
		deadline := time.Now().Add(hang)
		for time.Now().Before(deadline) {
			if s := console.Expect(protocol.TypeSessionState).Body.(*protocol.SessionState); s.AgentConnected == connected {
				return
			}
		}
		t.Fatalf("agent connected never became %v", connected)
	}
	waitAgent(true)
	// The console hears of the agent before the agent has its welcome: wait
	// until the agent acts on it (it asks the customer), or node A could die
	// in between and the agent's first connection fail.
	waitUntil(t, "the agent asking the customer", func() bool { return logs.has("customer asked") })

	a.Stop() // node A is gone and stays gone
	deadline := time.Now().Add(hang)
	for !logs.has("resumed through another signaling server") || !logs.has("session resumed") {
		select {
		case err := <-done:
			done <- err // for the deferred check
			t.Fatalf("the agent stopped instead of resuming through node B: %v", err)
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting for the agent to resume through node B")
		}
	}
	waitAgent(true)
}
