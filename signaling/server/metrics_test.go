package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/signaling/server"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
	"github.com/lifeline-support/lifeline/signaling/turn"
)

// Health, readiness and the metrics follow what the node holds.
func TestHealthReadinessAndMetrics(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node-m", func(c *server.Config) {
		c.MetricsAddr = "127.0.0.1:0"
		c.TURN = turn.Config{Listen: "127.0.0.1:0", Secret: "s"}
	})
	for _, path := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get(n.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		if body := st.ReadAll(t, resp); resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d %s", path, resp.StatusCode, body)
		}
	}
	if n.Metrics == "" {
		t.Fatal("the node did not say where its metrics are")
	}
	if resp, err := http.Get(n.URL + "/metrics"); err == nil && resp.StatusCode == http.StatusOK {
		t.Error("metrics are served on the public address")
	}

	tc := st.LogIn(t, n)
	sid, token, _ := tc.NewSession(t, "Marie")
	console := tc.Dial(t, "/ws/console")
	console.Expect(protocol.TypeConsoleWelcome)
	agent := st.Dial(t, n.URL+"/ws/agent", nil)
	agent.Send(protocol.TypeAgentHello, "", protocol.AgentHello{Code: token})
	agent.Expect(protocol.TypeAgentWelcome)
	// One offer and its answer: the node times both the handling of each
	// message and the offer-to-answer round trip.
	console.Send(protocol.TypeSessionStart, sid, protocol.SessionStart{})
	console.Send(protocol.TypeOffer, sid, map[string]string{"type": "offer", "sdp": "v=0 fake"})
	agent.Expect(protocol.TypeOffer)
	agent.Send(protocol.TypeAnswer, "", map[string]string{"type": "answer", "sdp": "v=0 fake"})
	console.Expect(protocol.TypeAnswer)

	want := []string{
		`lifeline_sessions{node="node-m",state="active"} 1`,
		`lifeline_agents_connected{node="node-m"} 1`,
		`lifeline_consoles_connected{node="node-m"} 1`,
		`lifeline_nats_connected{node="node-m"} 1`,
		`lifeline_nats_rtt_seconds{node="node-m"} `,
		`lifeline_turn_allocations{node="node-m"} 0`,
		"# TYPE lifeline_sessions gauge",
		"# TYPE lifeline_nats_reconnects_total counter",
		`lifeline_connect_seconds_count{node="node-m"} 1`,
		`lifeline_signaling_handle_seconds_count{node="node-m",side="agent"} `,
		`lifeline_signaling_handle_seconds_count{node="node-m",side="console"} `,
		// The Go runtime's and the process's own.
		"go_goroutines ",
		"process_resident_memory_bytes ",
	}
	var body string
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(n.Metrics)
		if err != nil {
			t.Fatal(err)
		}
		body = st.ReadAll(t, resp)
		missing := ""
		for _, w := range want {
			if !strings.Contains(body, w) {
				missing = w
			}
		}
		if missing == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics lack %q:\n%s", missing, body)
		}
		time.Sleep(200 * time.Millisecond) // session counts are cached for a few seconds
	}
}
