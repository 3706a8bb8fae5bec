package e2e

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/lifeline-support/lifeline/e2e/testwindow/twtest"
)

// Two signaling nodes on a three-server NATS cluster (JetStream replicated
// three times) behind a failover load balancer. The technician's console is
// on node A, the customer's agent on node B. Node A and the NATS server node B
// uses both die mid-session: the video keeps flowing (it never touched
// signaling), the console reconnects through the load balancer to node B, the
// session's state is intact and signaling works again (control is asked and
// granted across the surviving nodes).
func TestClusterFailover(t *testing.T) {
	nats := NATSCluster(t, 3)
	var urls []string
	for _, s := range nats {
		urls = append(urls, s.URL)
	}
	lb := NewFailover(t)
	ports := freePorts(t, 4)
	addrA, addrB := fmt.Sprintf("127.0.0.1:%d", ports[0]), fmt.Sprintf("127.0.0.1:%d", ports[1])
	metricsA, metricsB := fmt.Sprintf("http://127.0.0.1:%d/metrics", ports[2]), fmt.Sprintf("http://127.0.0.1:%d/metrics", ports[3])
	node := func(name, addr, metrics string) []string {
		return []string{"--node", name, "--addr", addr, "--public-url", lb.URL,
			"--nats-url", strings.Join(urls, ","), "--replicas", "3",
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

	// Node B's NATS server and node A die.
	var natsB *NATSServer
	waitFor(t, "node B's NATS server in its log", func() bool {
		for _, s := range nats {
			if strings.Contains(nodeB.Logs.String(), "server="+s.URL) {
				natsB = s
			}
		}
		return natsB != nil
	})
	before := tech.Frames(t)
	t.Logf("killing %s (node B's NATS server) and node A", natsB.Name)
	natsB.Kill(t)
	stack.KillSignaling(t)

	// The video keeps flowing: a window opened on the customer's desktop now
	// shows up in the console.
	twtest.Start(t, stack.Display, twtest.Options{X: 200, Y: 120, W: 600, H: 400})
	waitFor(t, "the new window in the console", func() bool {
		return near(tech.Pixel(t, 200+150, 120+100), [3]int{255, 0, 0}, 40)
	})

	// The console comes back on node B; the session is as it was.
	waitFor(t, "the console on node B", func() bool {
		return metric(t, metricsB, "lifeline_consoles_connected") == 1 && ready("http://"+addrB)
	})
	tech.WaitStatus(t, "Connected to Marie Dupont — view only")
	if n := metric(t, metricsB, "lifeline_agents_connected"); n != 1 {
		t.Fatalf("agents on node B after the failure: %v", n)
	}
	waitFor(t, "the active session in node B's metrics", func() bool {
		return metric(t, metricsB, `lifeline_sessions{node="node-b",state="active"}`) == 1
	})

	// Signaling works through the survivors: control is asked and granted.
	tech.RequestControl(t)
	customer.Allow(t)
	tech.WaitStatus(t, "Connected to Marie Dupont — in control")
	t.Logf("frames: %d before the failure, %d now", before, tech.Frames(t))
}

// metric reads one sample from a Prometheus text page: name may carry its
// labels; without them, the first series of that name counts. -1 if absent.
func metric(t testing.TB, url, name string) float64 {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		return -1
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	body := string(b)
	pattern := regexp.QuoteMeta(name)
	if !strings.Contains(name, "{") {
		pattern += `(\{[^}]*\})?`
	}
	m := regexp.MustCompile(`(?m)^` + pattern + ` (\S+)$`).FindStringSubmatch(body)
	if m == nil {
		return -1
	}
	v, err := strconv.ParseFloat(m[len(m)-1], 64)
	if err != nil {
		t.Fatalf("metric %s: %v", name, err)
	}
	return v
}

func ready(base string) bool {
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}
