package session

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/agent/peer"
	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/protocol"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// In a session opened on an unattended computer the grants gate answers by
// the device group's policy: silent and notify allow at once; ask waits for
// whoever sits there, and when nobody answers within the wait, allows or
// refuses as the policy says.
func TestUnattendedPolicyAnswersTheGrantsGate(t *testing.T) {
	node := st.StartNode(t, natstest.Server(t), "node")
	tech := st.LogIn(t, node)
	for _, tc := range []struct {
		name   string
		policy Policy
		answer string // what the person at the computer answers ("": nobody)
		view   bool
	}{
		{"silent", Policy{Mode: protocol.PolicySilent}, "", true},
		{"notify", Policy{Mode: protocol.PolicyNotify}, "", true},
		{"ask, allowed", Policy{Mode: protocol.PolicyAsk}, "y", true},
		{"ask, refused", Policy{Mode: protocol.PolicyAsk, AskWait: time.Minute, AllowOnTimeout: true}, "n", false},
		{"ask, nobody, allowed on timeout", Policy{Mode: protocol.PolicyAsk, AskWait: 200 * time.Millisecond, AllowOnTimeout: true}, "", true},
		{"ask, nobody, refused on timeout", Policy{Mode: protocol.PolicyAsk, AskWait: 200 * time.Millisecond}, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sid, token, _ := tech.NewSession(t, "Marie")
			console := tech.Dial(t, "/ws/console")
			console.Expect(protocol.TypeConsoleWelcome)
			console.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{})
			console.Expect(protocol.TypeSessionState)
			ui, term := terminalConsent(t)
			policy := tc.policy
			runAgent(t, ui, Config{
				Server: node.URL, Code: token, Consent: ui, Unattended: &policy,
				Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
				NewPeer:     func(peer.Config) (Peer, error) { return &fakePeer{}, nil },
				NewInjector: func() (Injector, error) { return &fakeInjector{}, nil },
			})
			if tc.answer != "" {
				term.answer(1, tc.answer)
			}
			for {
				u := console.Expect(protocol.TypePermissionUpdate).Body.(*protocol.PermissionUpdate)
				if u.Permissions.View || u.Refused == protocol.PermissionView {
					if u.Permissions.View != tc.view {
						t.Fatalf("view %v, want %v", u.Permissions.View, tc.view)
					}
					break
				}
			}
			if tc.policy.Mode != protocol.PolicyAsk && term.asked() != 0 {
				t.Errorf("the %s policy asked the person at the computer", tc.policy.Mode)
			}
		})
	}
}
