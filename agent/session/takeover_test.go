package session

import (
	"io"
	"log/slog"
	"sync"
	"testing"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/agent/peer"
	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/protocol"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// TestNewConnectionReleasesTheOldOnesKeys (issue 20, defect 1): another
// console of the same technician takes the session over and connects while
// the first one held a key down. The agent replaces the first connection and
// releases what it held (a key left down would keep typing on the customer's
// computer); the customer's grants stay, for they were given to this
// technician, whatever tab they work in.
func TestNewConnectionReleasesTheOldOnesKeys(t *testing.T) {
	node := st.StartNode(t, natstest.Server(t), "node")
	tech := st.LogIn(t, node)
	sid, token, _ := tech.NewSession(t, "Marie")
	first := tech.Dial(t, "/ws/console")
	first.Expect(protocol.TypeConsoleWelcome)
	first.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{Tab: "tab-1"})
	first.Expect(protocol.TypeSessionState)

	ui, term := terminalConsent(t)
	var peersMu sync.Mutex
	var peers []*fakePeer
	lastPeer := func() *fakePeer {
		peersMu.Lock()
		defer peersMu.Unlock()
		return peers[len(peers)-1]
	}
	fi := &fakeInjector{}
	runAgent(t, ui, Config{
		Server: node.URL, Code: token, Consent: ui,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		NewPeer: func(c peer.Config) (Peer, error) {
			peersMu.Lock()
			defer peersMu.Unlock()
			p := &fakePeer{cfg: c}
			peers = append(peers, p)
			return p, nil
		},
		NewInjector: func() (Injector, error) { return fi, nil },
	})
	first.Expect(protocol.TypeSessionState) // the agent joined

	offer := protocol.Offer{SessionDescription: webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: "v=0"}}
	first.Send(protocol.TypeOffer, sid, offer)
	first.Expect(protocol.TypeAnswer)
	term.answer(1, "y") // view
	first.Expect(protocol.TypePermissionUpdate)
	first.Send(protocol.TypePermissionRequest, sid, protocol.PermissionRequest{Permission: protocol.PermissionControl})
	term.answer(2, "y") // control
	if u := first.Expect(protocol.TypePermissionUpdate).Body.(*protocol.PermissionUpdate); !u.Permissions.Control {
		t.Fatalf("after allowing control: %+v", u)
	}
	old := lastPeer()
	old.cfg.OnInput(protocol.InputEvent{Kind: protocol.InputKey, Code: "ShiftLeft", Down: true})
	if n, _ := fi.count(); n != 1 {
		t.Fatalf("%d events injected, want the key down", n)
	}
	_, before := fi.count()

	// "Use it here" in another tab: it takes over and connects.
	second := tech.Dial(t, "/ws/console")
	second.Expect(protocol.TypeConsoleWelcome)
	second.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{Tab: "tab-2", Takeover: true})
	second.Expect(protocol.TypeSessionState)
	second.Send(protocol.TypeOffer, sid, offer)
	second.Expect(protocol.TypeAnswer)
	waitUntil(t, "the first connection closed", old.closed.Load)
	if _, after := fi.count(); after == before {
		t.Error("the key the first console held down was not released when its connection was replaced")
	}
	// Same technician: the customer is not asked again, and the screen goes on.
	waitUntil(t, "video on the new connection", lastPeer().lastVideo)
	if asked := term.asked(); asked != 2 {
		t.Errorf("the customer was asked %d times, want the 2 questions of the first console only", asked)
	}
}
