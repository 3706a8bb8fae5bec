package bench

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/e2e"
)

// results collects every benchmark's numbers; TestMain writes them.
var results = NewResults()

var outDir = flag.String("bench.out", "results", "folder for latest.json, latest.md and latest.png")

func TestMain(m *testing.M) {
	code := m.Run()
	if !results.Empty() {
		if err := results.Write(*outDir); err != nil {
			fmt.Fprintln(os.Stderr, "bench: write results:", err)
			code = 1
		} else {
			abs, _ := filepath.Abs(*outDir)
			fmt.Printf("bench: results in %s\n", abs)
		}
	}
	os.Exit(code)
}

// runs is how many sessions BenchmarkScreen measures (LIFELINE_BENCH_RUNS, default 3).
func runs() int {
	if n, err := strconv.Atoi(os.Getenv("LIFELINE_BENCH_RUNS")); err == nil && n > 0 {
		return n
	}
	return 3
}

// Phase lengths: settle lets the encoder reach a steady state after the
// workload changes; measure is the window the numbers come from.
const (
	settle      = 1500 * time.Millisecond
	stillSettle = 4 * time.Second
	measure     = 5 * time.Second
	clicks      = 10
	fileMB      = 100
)

// BenchmarkScreen runs several whole sessions on a 1920×1080 desktop. In each:
// connect (agent start to first frame), control, then a still desktop, clicks,
// a small change (the frame counter alone, 60 times a second), typing, a file
// transfer, and full-screen scrolling with the frame counter.
func BenchmarkScreen(b *testing.B) {
	stack := e2e.StartWith(b, e2e.Options{Width: 1920, Height: 1080})
	downloads := b.TempDir()
	stack.AgentEnv = append(stack.AgentEnv, "XDG_DOWNLOAD_DIR="+downloads)
	tech := stack.Technician(b)
	file, _ := e2e.MakeFile(b, "bench.bin", fileMB<<20)

	var asked, allowToFrame []float64
	var connect, kbpsStatic, cpuStatic, kbpsTyping, kbpsScroll, cpuScroll, fps, fileMBps []float64
	var g2g, input, g2gSmall, cpuSmall []float64
	for b.Loop() {
		for run := range runs() {
			still := StartPattern(b, stack.Display, "static")

			// Connect: a new session, the agent downloaded and started, view allowed.
			inv := tech.NewSession(b, fmt.Sprintf("Bench %d", run))
			customer := stack.Customer(b, inv)
			customer.OpenPage(b)
			customer.WaitAsked(b)
			asked = append(asked, float64(time.Since(customer.Started).Milliseconds()))
			allowAt := time.Now()
			customer.Allow(b)
			tech.WaitVideo(b)
			first := tech.FirstFrameAt(b)
			connect = append(connect, float64(first-customer.Started.UnixMilli()))
			allowToFrame = append(allowToFrame, float64(first-allowAt.UnixMilli()))
			tech.RequestControl(b)
			customer.Allow(b)
			tech.WaitStatus(b, "in control")
			probe := NewProbe(b, tech)
			pid := customer.Pid()

			// A still desktop, once the encoder has finished sharpening it.
			time.Sleep(stillSettle)
			kbps, cpu, _, _ := sample(b, probe, pid, measure)
			kbpsStatic, cpuStatic = append(kbpsStatic, kbps), append(cpuStatic, cpu)

			// Clicks: from the mousedown in the console to the target's new
			// colour decoded in the video.
			input = append(input, clickLatencies(b, probe, still)...)
			still.Stop()

			// A small change 60 times a second on a still desktop: the
			// frame counter alone.
			small := StartPattern(b, stack.Display, "counter")
			time.Sleep(settle)
			probe.Seen()
			_, cpu, _, _ = sample(b, probe, pid, measure)
			cpuSmall = append(cpuSmall, cpu)
			g2gSmall = append(g2gSmall, glassToGlass(b, probe, small)...)
			small.Stop()

			// Typing in an editor.
			typing := StartPattern(b, stack.Display, "typing")
			time.Sleep(settle)
			kbps, _, _, _ = sample(b, probe, pid, measure)
			kbpsTyping = append(kbpsTyping, kbps)

			// A file to the customer while the screen streams.
			fileMBps = append(fileMBps, sendFile(b, tech, customer, file, fileMB<<20, run))
			typing.Stop()

			// Full-screen scrolling, with the frame counter.
			scroll := StartPattern(b, stack.Display, "scroll")
			time.Sleep(settle)
			probe.Seen()
			kbps, cpu, f, receiver := sample(b, probe, pid, measure)
			b.Logf("run %d: scrolling, the browser's receiver: %s", run, receiver)
			kbpsScroll, cpuScroll, fps = append(kbpsScroll, kbps), append(cpuScroll, cpu), append(fps, f)
			g2g = append(g2g, glassToGlass(b, probe, scroll)...)
			scroll.Stop()

			tech.End(b)
			customer.WaitExit(b)
			b.Logf("run %d: connect %.0f ms; static %.1f kbit/s %.3f cores; small change %.3f cores; typing %.1f kbit/s; file %.1f MB/s; scroll %.0f kbit/s %.2f cores %.1f fps",
				run, connect[run], kbpsStatic[run], cpuStatic[run], cpuSmall[run], kbpsTyping[run], fileMBps[run], kbpsScroll[run], cpuScroll[run], fps[run])
		}
	}
	b.ReportMetric(0, "ns/op")
	results.AddSamples("glass to glass", g2g...)
	results.AddSamples("click to photon", input...)
	set := func(key string, v float64) { results.Set(key, v); b.ReportMetric(v, key) }
	set("g2g_ms_p50", percentileOf(g2g, 50))
	set("g2g_ms_p95", percentileOf(g2g, 95))
	set("g2g_ms_p50_small", percentileOf(g2gSmall, 50))
	set("agent_cpu_small", median(cpuSmall))
	set("input_ms_p50", percentileOf(input, 50))
	set("input_ms_p95", percentileOf(input, 95))
	set("fps_scroll_1080p", median(fps))
	set("kbps_static", median(kbpsStatic))
	set("kbps_typing", median(kbpsTyping))
	set("kbps_scroll_1080p", median(kbpsScroll))
	set("agent_cpu_scroll_1080p", median(cpuScroll))
	set("agent_cpu_static", median(cpuStatic))
	set("connect_ms_p50", median(connect))
	set("asked_ms_p50", median(asked))
	set("allow_to_frame_ms_p50", median(allowToFrame))
	set("file_MBps_with_video", median(fileMBps))
	set("file_MBps_browser_ceiling", median(browserCeiling(b, tech.Page(), 3)))
	results.Note("Screen: %d sessions on a 1920×1080 Xvfb desktop; %d glass-to-glass and %d click samples; rates and CPU are medians of %d s windows.",
		len(connect), len(g2g), len(input), int(measure.Seconds()))
}

// sample measures, over d, the console's received video bitrate (kbit/s), the
// agent's CPU use (cores) and the frames decoded per second.
func sample(b *testing.B, probe *Probe, pid int, d time.Duration) (kbps, cores, fps float64, receiver string) {
	b.Helper()
	s0, c0 := probe.Stats(), cpuTime(b, pid)
	time.Sleep(d)
	s1, c1 := probe.Stats(), cpuTime(b, pid)
	secs := s1.At.Sub(s0.At).Seconds()
	return (s1.Bytes - s0.Bytes) * 8 / 1000 / secs, (c1 - c0).Seconds() / secs, (s1.FramesDecoded - s0.FramesDecoded) / secs, Receiver(s0, s1)
}

// clickLatencies clicks the remote screen several times and returns, for each
// click, the time from its mousedown to the decoded video showing the change.
func clickLatencies(b *testing.B, probe *Probe, p *Pattern) []float64 {
	b.Helper()
	before := len(probe.Targets())
	for i := range clicks {
		probe.Click()
		deadline := time.Now().Add(e2e.Timeout)
		for len(probe.Targets()) < before+i+1 {
			if time.Now().After(deadline) {
				b.Fatalf("click %d never showed in the video (the pattern saw %d presses)", i, p.Clicks())
			}
			time.Sleep(5 * time.Millisecond)
		}
		time.Sleep(time.Duration(150+37*i) * time.Millisecond) // off the capture's beat
	}
	downs, changes, presses := probe.Clicks(), probe.Targets()[before:], p.Presses()
	downs, presses = downs[len(downs)-clicks:], presses[max(0, len(presses)-clicks):]
	var ms, toPress, toPhoton []float64
	for i, d := range downs {
		ms = append(ms, float64(changes[i]-d))
		if len(presses) == clicks {
			at := float64(presses[i]) / 1e6
			toPress, toPhoton = append(toPress, at-float64(d)), append(toPhoton, float64(changes[i])-at)
		}
	}
	if len(toPress) > 0 {
		b.Logf("clicks: mousedown to the window's button press %.0f ms, press to photon %.0f ms (medians)", median(toPress), median(toPhoton))
	}
	return ms
}

// glassToGlass matches the counter values the console decoded with the times
// the pattern drew them. On a machine too busy to decode many frames in the
// measure window it waits up to e2e.Timeout for a few more.
func glassToGlass(b *testing.B, probe *Probe, p *Pattern) []float64 {
	b.Helper()
	const enough = 10
	var ms []float64
	deadline := time.Now().Add(e2e.Timeout)
	for {
		for _, s := range probe.Seen() {
			if at, ok := p.Drawn(uint16(s[0])); ok {
				ms = append(ms, float64(s[1])-float64(at)/1e6)
			}
		}
		if len(ms) >= enough || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if len(ms) == 0 {
		b.Logf("the console decoded no frame counter; video size and counter blocks: %v", probe.Strip())
	}
	return ms
}

// sendFile sends path, of size bytes, to the customer and returns the
// throughput in MB/s.
func sendFile(b *testing.B, tech *e2e.Technician, customer *e2e.Customer, path string, size, run int) float64 {
	b.Helper()
	sent := len(tech.Files(b).Sent)
	tech.SendFile(b, path)
	customer.AcceptFile(b)
	start := time.Now()
	deadline := start.Add(5 * time.Minute)
	for len(tech.Files(b).Sent) == sent {
		if time.Now().After(deadline) {
			b.Fatalf("run %d: the file did not arrive", run)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return float64(size) / 1e6 / time.Since(start).Seconds()
}
