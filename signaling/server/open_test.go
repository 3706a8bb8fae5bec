package server_test

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/protocol"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
	"github.com/lifeline-support/lifeline/signaling/sessions"
)

// Opening a session moves the console from "all my sessions" to "this
// session" while news about it keeps coming: none of it is lost or reordered
// on the way (a lost "the customer is connected" left a console waiting).
func TestOpeningASessionMissesNothing(t *testing.T) {
	natsURL := natstest.Server(t)
	node := st.StartNode(t, natsURL, "node")
	tech := st.LogIn(t, node)
	sid, _, _ := tech.NewSession(t, "Marie")
	nc, err := nats.Connect(natsURL)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()

	for round := range 20 {
		console := tech.Dial(t, "/ws/console")
		techID := console.Expect(protocol.TypeConsoleWelcome).Body.(*protocol.ConsoleWelcome).TechnicianID
		const n = 200 // fits the socket's queue: none of it may be dropped as "slow"
		sent := make(chan error, 1)
		go func() {
			for i := 1; i <= n; i++ {
				b, _ := protocol.Encode(protocol.TypeCandidate, "", sid, protocol.Candidate{ICECandidateInit: webrtc.ICECandidateInit{Candidate: strconv.Itoa(i)}})
				if err := nc.Publish(sessions.TechSubject(techID, sid), b); err != nil {
					sent <- err
					return
				}
				if i == n/3 {
					console.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{})
				}
			}
			sent <- nc.Flush()
		}()
		last := 0
		for last < n {
			m, err := console.Read(10 * time.Second)
			if err != nil {
				t.Fatalf("round %d: after news %d of %d: %v", round, last, n, err)
			}
			c, ok := m.Body.(*protocol.Candidate)
			if !ok {
				continue
			}
			i, _ := strconv.Atoi(c.Candidate)
			if i != last+1 {
				t.Fatalf("round %d: news %d came after %d", round, i, last)
			}
			last = i
		}
		if err := <-sent; err != nil {
			t.Fatal(fmt.Errorf("publish: %w", err))
		}
		console.Close()
	}
}
