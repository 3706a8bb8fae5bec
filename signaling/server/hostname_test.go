package server_test

import (
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/protocol"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// TestAgentHostNameIsCleaned: the host name an agent sends in its hello is
// shown to the technician, so the name rule applies to it. A machine's name
// is not the customer's choice at the moment of asking for help, so it is
// cleaned rather than refused: what reorders or hides text is dropped, and a
// name with nothing visible left is shown as none.
func TestAgentHostNameIsCleaned(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node")
	admin := st.LogIn(t, n)
	for _, tc := range []struct{ sent, want string }{
		{"marie-pc", "marie-pc"},
		{"marie\u202egpj.exe", "mariegpj.exe"},
		{"\u3164\u3164", ""},
		{"admin-pc\u2800\u2800", "admin-pc"},
		{"pc\u200b\ufe0f\u034f", "pc"},
		{"   ", ""},
	} {
		sid, token, _ := admin.NewSession(t, "Marie Dupont")
		ac := admin.Dial(t, "/ws/console")
		ac.Expect(protocol.TypeConsoleWelcome)
		ac.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{})
		agent := st.Dial(t, n.URL+"/ws/agent", nil)
		agent.Send(protocol.TypeAgentHello, "", protocol.AgentHello{Code: token, Hostname: tc.sent})
		agent.Expect(protocol.TypeAgentWelcome)
		var got *protocol.SessionState
		for got == nil {
			m, err := ac.Read(20 * time.Second)
			if err != nil {
				t.Fatalf("host name %q: waiting for the agent's arrival: %v", tc.sent, err)
			}
			if s, ok := m.Body.(*protocol.SessionState); ok && m.SID == sid && s.AgentConnected {
				got = s
			}
		}
		if got.Hostname != tc.want {
			t.Errorf("host name %q is shown as %q, want %q", tc.sent, got.Hostname, tc.want)
		}
		ac.Close()
		agent.Close()
	}
}
