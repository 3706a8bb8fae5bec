package server_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/signaling/server"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
	"github.com/lifeline-support/lifeline/signaling/turn"
)

// Both peers of a session get the embedded TURN server (UDP and TCP) and the
// external one, with credentials for that session that the shared secret
// verifies; the agent's path report reaches the console.
func TestPeersGetSessionTURNCredentials(t *testing.T) {
	const secret = "shared-secret"
	n := st.StartNode(t, natstest.Server(t), "node", func(c *server.Config) {
		c.TURN = turn.Config{Listen: "127.0.0.1:0", Secret: secret, External: []string{"turn:coturn.example:3478?transport=tcp"}}
	})
	tc := st.LogIn(t, n)
	sid, token, _ := tc.NewSession(t, "Marie")
	console := tc.Dial(t, "/ws/console")
	console.Expect(protocol.TypeConsoleWelcome)
	console.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{})
	cfg := console.Expect(protocol.TypeRTCConfig)
	if cfg.SID != sid {
		t.Fatalf("rtc.config for %q, want %q", cfg.SID, sid)
	}
	check := func(who string, all []webrtc.ICEServer) {
		t.Helper()
		var urls []string
		var username, password string
		for _, s := range all {
			urls = append(urls, s.URLs...)
			if s.Username != "" {
				username, password = s.Username, s.Credential.(string)
			}
		}
		joined := strings.Join(urls, " ")
		for _, want := range []string{"stun:127.0.0.1:", "?transport=udp", "?transport=tcp", "turn:coturn.example:3478?transport=tcp"} {
			if !strings.Contains(joined, want) {
				t.Errorf("%s: no %q in %s", who, want, joined)
			}
		}
		user, err := turn.Check(username, time.Now())
		if err != nil || user != sid || password != turn.Password(secret, username) {
			t.Errorf("%s: credentials %q/%q for %q: %v", who, username, password, user, err)
		}
		if exp, _ := turn.Check(username, time.Now().Add(13*time.Hour)); exp != "" {
			t.Errorf("%s: credentials %q still valid in 13 hours", who, username)
		}
	}
	check("console", cfg.Body.(*protocol.RTCConfig).ICEServers)

	agent := st.Dial(t, n.URL+"/ws/agent", nil)
	agent.Send(protocol.TypeAgentHello, "", protocol.AgentHello{Code: token})
	w := agent.Expect(protocol.TypeAgentWelcome).Body.(*protocol.AgentWelcome)
	check("agent", w.ICEServers)

	agent.Send(protocol.TypePath, "", protocol.Path{Candidate: "relay", RelayProtocol: "tcp"})
	if p := console.Expect(protocol.TypePath); p.SID != sid || p.Body.(*protocol.Path).RelayProtocol != "tcp" {
		t.Fatalf("console got path %+v", p)
	}
}
