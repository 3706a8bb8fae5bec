package e2e

import (
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/e2e/testwindow/twtest"
)

// Two signaling nodes on a three-server NATS cluster (JetStream replicated
// three times); the technician's console reaches them through a failover load
// balancer (node A first), the customer's agent is on node B and knows both
// nodes. One node and the NATS server node B uses die mid-session: the video
// keeps flowing (it never touched signaling), the side that lost its node
// comes back on the other one (the console through the load balancer, the
// agent through its list of URLs), the session's state is intact and
// signaling works again (control is asked and granted).
func TestClusterFailover(t *testing.T) {
	t.Run("console's node dies", func(t *testing.T) { clusterFailover(t, false) })
	t.Run("agent's node dies", func(t *testing.T) { clusterFailover(t, true) })
}

func clusterFailover(t *testing.T, agentSide bool) {
	nats := NATSCluster(t, 3)
	var urls []string
	for _, s := range nats {
		urls = append(urls, s.URL)
	}
	lb := NewFailover(t)
	ports := freePorts(t, 4)
	addrA, addrB := fmt.Sprintf("127.0.0.1:%d", ports[0]), fmt.Sprintf("127.0.0.1:%d", ports[1])
	metricsA, metricsB := fmt.Sprintf("http://127.0.0.1:%d/metrics", ports[2]), fmt.Sprintf("http://127.0.0.1:%d/metrics", ports[3])
	// Every node signs with the organisation's one key (docs/security.md).
	orgKey := filepath.Join(t.TempDir(), "org-key.json")
	node := func(name, addr, metrics string) []string {
		return []string{"--node", name, "--addr", addr, "--public-url", lb.URL, "--log-level", "debug", "--org-key", orgKey,
			"--nats-url", strings.Join(urls, ","), "--replicas", "3",
			"--agent-urls", "http://" + addrA + ",http://" + addrB,
			"--metrics-addr", strings.TrimSuffix(strings.TrimPrefix(metrics, "http://"), "/metrics")}
	}
	stack := StartWith(t, Options{SignalingArgs: node("node-a", addrA, metricsA)})
	nodeB := stack.StartSignaling(t, node("node-b", addrB, metricsB)...)
	lb.SetBackends(addrA, addrB)
	stack.AgentArgs = []string{"--server", "http://" + addrB}

	// A session across the two nodes.
	tech := stack.Technician(t)
	inv := tech.NewSession(t, "Marie Dupont")
	customer := stack.Customer(t, inv)
	customer.OpenPage(t)
	customer.Allow(t)
	tech.WaitVideo(t)
	tech.WaitStatus(t, "Connected to Marie Dupont — view only")
	if got := tech.Pixel(t, 200+150, 120+100); near(got, [3]int{255, 0, 0}, 40) {
		t.Fatalf("the console shows red %v before the window opens", got)
	}
	if a, b := metric(t, metricsA, "lifeline_consoles_connected"), metric(t, metricsB, "lifeline_agents_connected"); a != 1 || b != 1 {
		t.Fatalf("console on node A: %v, agent on node B: %v; want 1 and 1", a, b)
	}

	// Node B's NATS server and one signaling node die.
	var natsB *NATSServer
	waitFor(t, "node B's NATS server in its log", func() bool {
		for _, s := range nats {
			if strings.Contains(nodeB.Logs.String(), "server="+s.URL) {
				natsB = s
			}
		}
		return natsB != nil
	})
	kill, survivor, survivorAddr := func() { stack.KillSignaling(t) }, metricsB, addrB
	if agentSide {
		kill, survivor, survivorAddr = func() { nodeB.Kill(t) }, metricsA, addrA
	}
	before := tech.Frames(t)
	t.Logf("killing %s (node B's NATS server) and the signaling node at %s", natsB.Name, map[bool]string{false: addrA, true: addrB}[agentSide])
	killedAt := time.Now()
	natsB.Kill(t)
	kill()

	// The video keeps flowing: a window opened on the customer's desktop now
	// shows up in the console.
	twtest.Start(t, stack.Display, twtest.Options{X: 200, Y: 120, W: 600, H: 400})
	waitFor(t, "the new window in the console", func() bool {
		return near(tech.Pixel(t, 200+150, 120+100), [3]int{255, 0, 0}, 40)
	})
	t.Logf("a window opened after the failure is on the console %v after the kill", time.Since(killedAt).Round(time.Millisecond))

	// Both sides are on the surviving node; the session is as it was.
	waitFor(t, "console and agent on the surviving node", func() bool {
		return metric(t, survivor, "lifeline_consoles_connected") == 1 && metric(t, survivor, "lifeline_agents_connected") == 1 &&
			ready("http://"+survivorAddr)
	})
	if agentSide {
		// The agent may try a node that answers too late before one that
		// works: it has reconnected when it says so.
		customer.WaitLog(t, "signaling connection back; session resumed")
	}
	t.Logf("console and agent on the surviving node, which is ready, %v after the kill", time.Since(killedAt).Round(time.Millisecond))
	tech.WaitStatus(t, "Connected to Marie Dupont — view only")
	waitFor(t, "the active session in the survivor's metrics", func() bool {
		return metric(t, survivor, `lifeline_sessions{state="active"}`) == 1
	})

	// Signaling works through the survivors: control is asked and granted.
	tech.RequestControl(t)
	customer.Allow(t)
	tech.WaitStatus(t, "Connected to Marie Dupont — in control")
	t.Logf("frames: %d before the failure, %d now", before, tech.Frames(t))
}

// metric reads one sample from a Prometheus text page. name may carry
// labels, name{a="x"}: the first series of that name with those labels counts.
// -1 if there is none.
func metric(t testing.TB, url, name string) float64 {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		return -1
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	base, labels, _ := strings.Cut(strings.TrimSuffix(name, "}"), "{")
	for _, line := range strings.Split(string(body), "\n") {
		series, value, ok := strings.Cut(line, " ")
		if !ok || (series != base && !strings.HasPrefix(series, base+"{")) {
			continue
		}
		match := true
		for _, l := range strings.Split(labels, ",") {
			match = match && strings.Contains(series, l)
		}
		if !match {
			continue
		}
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			t.Fatalf("metric %s: %v", line, err)
		}
		return v
	}
	return -1
}

func ready(base string) bool {
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}
