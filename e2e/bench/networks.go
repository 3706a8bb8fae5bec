package bench

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/lifeline-support/lifeline/e2e/netns"
)

// Network is one of the customer's real networks BenchmarkNetworks measures.
type Network struct {
	// Name ends each of its keys (fps_dsl).
	Name string
	What string
	netns.Impairment
	// Path is the connection path the console must show ("direct",
	// "relayed-tcp"): a profile measured over another path measures nothing.
	Path string
}

// Networks are the customer's links, from the customer's side.
var Networks = []Network{
	{"dsl", "DSL, 1 Mbit/s up, 40 ms RTT", netns.Impairment{Up: 1_000_000, RTT: 40 * time.Millisecond}, "direct"},
	{"mobile", "mobile, 4 Mbit/s, 80 ± 20 ms RTT, 1 % loss",
		netns.Impairment{Up: 4_000_000, Down: 4_000_000, RTT: 80 * time.Millisecond, Jitter: 20 * time.Millisecond, Loss: 0.01}, "direct"},
	{"wifi_lossy", "lossy Wi-Fi, 20 Mbit/s, 20 ms RTT, 5 % loss",
		netns.Impairment{Up: 20_000_000, Down: 20_000_000, RTT: 20 * time.Millisecond, Loss: 0.05}, "direct"},
	{"relay_tcp", "TURN over TCP (no UDP), 4 Mbit/s, 80 ms RTT, 1 % loss",
		netns.Impairment{Up: 4_000_000, Down: 4_000_000, RTT: 80 * time.Millisecond, Loss: 0.01, TCPOnly: true}, "relayed-tcp"},
}

// networkGoals are the keys BenchmarkNetworks writes for each network. No
// goals yet: these numbers set the baseline.
func networkGoals() []Goal {
	var gs []Goal
	for _, n := range Networks {
		gs = append(gs,
			Goal{Key: "g2g_ms_p50_" + n.Name, What: "glass to glass, 1080p scrolling, median; " + n.What, Unit: "ms"},
			Goal{Key: "g2g_ms_p95_" + n.Name, What: "glass to glass, 1080p scrolling, p95; " + n.What, Unit: "ms"},
			Goal{Key: "input_ms_p50_" + n.Name, What: "click to photon, median; " + n.What, Unit: "ms"},
			Goal{Key: "fps_" + n.Name, What: "frames decoded per second, 1080p scrolling; " + n.What, Unit: "fps"},
			Goal{Key: "freeze_count_" + n.Name, What: fmt.Sprintf("gaps over %d ms without a new frame while scrolling, all sessions; %s", freezeGap.Milliseconds(), n.What), Unit: ""},
			Goal{Key: "keyframes_per_5s_" + n.Name, What: "keyframes decoded per 5 s while scrolling (each asked for by a PLI: the agent makes none of its own); " + n.What, Unit: ""},
			Goal{Key: "kbps_" + n.Name, What: "video bitrate received, 1080p scrolling; " + n.What, Unit: "kbit/s"},
			Goal{Key: "file_MBps_" + n.Name, What: "file transfer to the customer while the screen scrolls; " + n.What, Unit: "MB/s"},
		)
	}
	return gs
}

// chosenNetworks are the Networks named in LIFELINE_BENCH_NETWORKS (a comma
// list, e.g. "dsl,mobile"), or all of them.
func chosenNetworks() []Network {
	names := strings.Split(os.Getenv("LIFELINE_BENCH_NETWORKS"), ",")
	if os.Getenv("LIFELINE_BENCH_NETWORKS") == "" {
		return Networks
	}
	var out []Network
	for _, n := range Networks {
		if slices.Contains(names, n.Name) {
			out = append(out, n)
		}
	}
	return out
}
