package sessions

import (
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/shared/session"
	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/store"
	"github.com/lifeline-support/lifeline/signaling/storetest"
)

// TestOfferInFlightFromAConsoleThatLostTheHoldIsDropped: console A holds a
// session and sends an offer; the offer is authorised, and before it is
// passed on, console B of the same technician takes the session over ("use
// it here"). A's offer, and a candidate caught the same way, are dropped
// (open_elsewhere), not relayed to the agent, where they would take the
// peer connection from B.
func TestOfferInFlightFromAConsoleThatLostTheHoldIsDropped(t *testing.T) {
	st, nc := storetest.Open(t)
	ctx := t.Context()
	s := New(Config{NC: nc, Store: st, Logger: slog.New(slog.NewTextHandler(t.Output(), nil))})
	t.Cleanup(s.Close)
	tech := auth.Technician{Account: store.Account{ID: "alice", Name: "Alice"}}
	const sid = "s1"
	if err := st.CreateSession(ctx, store.Session{ID: sid, TechnicianID: "alice", TechnicianName: "Alice", CustomerName: "Marie",
		State: session.Active, AgentConnected: true, Console: "A", ConsoleTab: "tab-a"}); err != nil {
		t.Fatal(err)
	}
	toAgent, err := nc.SubscribeSync(AgentSubject(sid))
	if err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}

	for _, m := range []protocol.Message{
		{Envelope: protocol.Envelope{Type: protocol.TypeOffer, ID: "offer-a", SID: sid}, Body: &protocol.Offer{SessionDescription: webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: "v=0 A"}}},
		{Envelope: protocol.Envelope{Type: protocol.TypeCandidate, ID: "cand-a", SID: sid}, Body: &protocol.Candidate{ICECandidateInit: webrtc.ICECandidateInit{Candidate: "candidate:1 1 udp 1 192.0.2.1 9 typ host"}}},
	} {
		t.Run(string(m.Type), func(t *testing.T) {
			if _, err := st.UpdateSession(ctx, sid, func(ss *store.Session) error { ss.Console, ss.ConsoleTab = "A", "tab-a"; return nil }); err != nil {
				t.Fatal(err)
			}
			reached, release := make(chan struct{}), make(chan struct{})
			s.beforeRelay = func() { close(reached); <-release }
			done := make(chan error, 1)
			go func() {
				_, err := s.FromConsole(ctx, tech, "A", m)
				done <- err
			}()
			select {
			case <-reached:
			case <-time.After(10 * time.Second):
				t.Fatal("A's message was never authorised")
			}
			s.beforeRelay = nil
			if _, err := s.FromConsole(ctx, tech, "B", protocol.Message{Envelope: protocol.Envelope{Type: protocol.TypeSessionOpen, SID: sid}, Body: &protocol.SessionOpen{Tab: "tab-b", Takeover: true}}); err != nil {
				t.Fatalf("B's takeover: %v", err)
			}
			if ss, err := st.Session(ctx, sid); err != nil || ss.Console != "B" {
				t.Fatalf("after B's takeover the session is held by %q (%v)", ss.Console, err)
			}
			close(release)
			select {
			case err := <-done:
				if !errors.Is(err, ErrOpenElsewhere) {
					t.Errorf("A's %s in flight during the takeover: %v, want ErrOpenElsewhere", m.Type, err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("A's message never finished")
			}
			// Whatever A's message did is done: a marker published now
			// comes after it on the agent's subject.
			if err := nc.Publish(AgentSubject(sid), []byte("marker")); err != nil {
				t.Fatal(err)
			}
			for {
				msg, err := toAgent.NextMsg(10 * time.Second)
				if errors.Is(err, nats.ErrTimeout) {
					t.Fatal("the marker never came")
				} else if err != nil {
					t.Fatal(err)
				}
				if string(msg.Data) == "marker" {
					break
				}
				if got, err := protocol.Decode(msg.Data); err == nil && got.ID == m.ID {
					t.Errorf("A's %s reached the agent after B took the session over", m.Type)
				}
			}
		})
	}
}
