package bench

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/e2e"
	"github.com/lifeline-support/lifeline/e2e/netns"
)

// Phases of a session on an impaired network: the estimator gets longer to
// settle than on loopback, and a longer window catches rarer freezes.
const (
	netStill   = 2 * time.Second
	netSettle  = 4 * time.Second
	netMeasure = 8 * time.Second
	// netFile is the size of the file sent to the customer while the screen
	// scrolls: half a second at mobile's 4 Mbit/s, were the link its own.
	// The whole set of networks must run in under 10 minutes, and over
	// TURN/TCP, with the video filling the other direction, a file moved at
	// ~10–15 kB/s.
	netFile = 256 << 10
)

// netRuns is how many sessions BenchmarkNetworks measures per network:
// LIFELINE_BENCH_RUNS, or 2 (the whole set then runs in under 10 minutes).
func netRuns() int {
	if os.Getenv("LIFELINE_BENCH_RUNS") != "" {
		return runs()
	}
	return 2
}

// BenchmarkNetworks runs sessions with the agent behind each of the
// customer's networks (Networks): the agent in a network namespace whose
// link is rate-limited (tbf), delayed, jittered and lossy (the impair
// program), while Xvfb, signaling and Chromium stay on this machine. In each
// session: clicks on a still screen, then full-screen 1080p scrolling with
// the frame counter, and a file sent to the customer while it scrolls. It
// needs root; it skips without.
func BenchmarkNetworks(b *testing.B) {
	nets := chosenNetworks()
	if len(nets) == 0 {
		b.Fatalf("LIFELINE_BENCH_NETWORKS=%q names none of the networks", os.Getenv("LIFELINE_BENCH_NETWORKS"))
	}
	link := netns.NewLink(b, nets[0].Impairment)
	ip := link.Server.String()
	stack := e2e.StartWith(b, e2e.Options{Width: 1920, Height: 1080,
		SignalingArgs: []string{"--addr", ip + ":0", "--turn-listen", ip + ":0"}})
	stack.Behind(link.Customer)
	stack.AgentEnv = append(stack.AgentEnv, "XDG_DOWNLOAD_DIR="+b.TempDir())
	tech := stack.Technician(b)
	file, _ := e2e.MakeFile(b, "net.bin", netFile)

	type measured struct{ g2g, input, fps, kbps, keys, file []float64 }
	got := map[string]*measured{}
	freezes := map[string]int{}
	for b.Loop() {
		for _, n := range nets {
			link.Set(b, n.Impairment)
			m := &measured{}
			got[n.Name] = m
			for run := range netRuns() {
				still := StartPattern(b, stack.Display, "static")
				inv := tech.NewSession(b, fmt.Sprintf("Net %s %d", n.Name, run))
				customer := stack.Customer(b, inv)
				customer.OpenPage(b)
				customer.Allow(b)
				tech.WaitVideo(b)
				if path, shown := tech.WaitPath(b); path != n.Path {
					b.Fatalf("%s: the console shows path %q (%q), want %q", n.Name, path, shown, n.Path)
				}
				tech.RequestControl(b)
				customer.Allow(b)
				tech.WaitStatus(b, "in control")
				probe := NewProbe(b, tech)

				time.Sleep(netStill)
				m.input = append(m.input, clickLatencies(b, probe, still)...)
				still.Stop()

				scroll := StartPattern(b, stack.Display, "scroll")
				time.Sleep(netSettle)
				probe.Seen()
				probe.Freezes()
				s0 := probe.Stats()
				kbps, _, fps, receiver := sample(b, probe, customer.Pid(), netMeasure)
				s1 := probe.Stats()
				f := probe.Freezes()
				m.kbps, m.fps = append(m.kbps, kbps), append(m.fps, fps)
				m.keys = append(m.keys, (s1.KeyFrames-s0.KeyFrames)*5/s1.At.Sub(s0.At).Seconds())
				freezes[n.Name] += f
				m.g2g = append(m.g2g, glassToGlass(b, probe, scroll)...)
				m.file = append(m.file, sendFile(b, tech, customer, file, netFile, run))
				scroll.Stop()
				b.Logf("%s run %d: scrolling %.0f kbit/s %.1f fps, %d freezes, file %.2f MB/s; the browser's receiver: %s",
					n.Name, run, kbps, fps, f, m.file[len(m.file)-1], receiver)

				tech.End(b)
				customer.WaitExit(b)
			}
		}
	}
	b.ReportMetric(0, "ns/op")
	set := func(key string, v float64) { results.Set(key, v); b.ReportMetric(v, key) }
	for _, n := range nets {
		m := got[n.Name]
		set("g2g_ms_p50_"+n.Name, percentileOf(m.g2g, 50))
		set("g2g_ms_p95_"+n.Name, percentileOf(m.g2g, 95))
		set("input_ms_p50_"+n.Name, median(m.input))
		set("fps_"+n.Name, median(m.fps))
		set("freeze_count_"+n.Name, float64(freezes[n.Name]))
		set("kbps_"+n.Name, median(m.kbps))
		set("keyframes_per_5s_"+n.Name, median(m.keys))
		set("file_MBps_"+n.Name, median(m.file))
	}
	set("file_MBps_browser_ceiling", median(browserCeiling(b, tech.Page(), 3)))
	results.Note("Networks: the agent behind an impaired link (tbf rates; the impair program's delay, jitter and loss through NFQUEUE, each way), %d sessions per network; rates are medians of %d s scrolling windows, freezes the total over them; files of %d KiB sent to the customer while the screen scrolls.",
		netRuns(), int(netMeasure.Seconds()), netFile>>10)
}
