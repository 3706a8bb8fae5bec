package bench

import (
	"bytes"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/e2e"
	"github.com/lifeline-support/lifeline/e2e/wine"
)

// BenchmarkWine runs sessions with the Windows agent under Wine on a
// 1280×720 desktop: connect (agent start to first frame), the agent's CPU
// on a still and on a scrolling screen, and the frames per second while it
// scrolls. Wine is not Windows (and has no DXGI Desktop Duplication: the
// agent reads the screen with GDI): a figure, not a goal. Skips without
// Wine.
func BenchmarkWine(b *testing.B) {
	prefix := wine.NewPrefix(b)
	stack := e2e.Start(b)
	e2e.WindowsAgent(b)
	tech := stack.Technician(b)

	var connect, cpuStill, kbpsStill, cpuScroll, fps []float64
	var wineStill, wineScroll []float64 // every process of the prefix: the agent's, wineserver, explorer
	for b.Loop() {
		for run := range runs() {
			still := StartPattern(b, stack.Display, "static")
			inv := tech.NewSession(b, fmt.Sprintf("Wine %d", run))
			customer := stack.WindowsCustomer(b, inv, prefix)
			customer.OpenPage(b)
			customer.Allow(b)
			tech.WaitVideo(b)
			connect = append(connect, float64(tech.FirstFrameAt(b)-customer.Started.UnixMilli()))
			probe := NewProbe(b, tech)
			pid := customer.Pid()

			time.Sleep(stillSettle)
			w0 := prefixCPU(b, prefix)
			kbps, cpu, _, _ := sample(b, probe, pid, measure)
			kbpsStill, cpuStill = append(kbpsStill, kbps), append(cpuStill, cpu)
			wineStill = append(wineStill, (prefixCPU(b, prefix)-w0).Seconds()/measure.Seconds())
			still.Stop()

			scroll := StartPattern(b, stack.Display, "scroll")
			time.Sleep(settle)
			w0 = prefixCPU(b, prefix)
			_, cpu, f, _ := sample(b, probe, pid, measure)
			cpuScroll, fps = append(cpuScroll, cpu), append(fps, f)
			wineScroll = append(wineScroll, (prefixCPU(b, prefix)-w0).Seconds()/measure.Seconds())
			scroll.Stop()

			tech.End(b)
			customer.WaitExit(b)
			b.Logf("run %d under Wine: connect %.0f ms; still %.3f cores (%.3f with Wine's own) %.1f kbit/s; scroll %.2f cores (%.2f with Wine's own) %.1f fps",
				run, connect[run], cpuStill[run], wineStill[run], kbpsStill[run], cpuScroll[run], wineScroll[run], fps[run])
		}
	}
	b.ReportMetric(0, "ns/op")
	set := func(key string, v float64) { results.Set(key, v); b.ReportMetric(v, key) }
	set("wine_connect_ms_p50", median(connect))
	set("wine_agent_cpu_static_720p", median(cpuStill))
	set("wine_kbps_static_720p", median(kbpsStill))
	set("wine_agent_cpu_scroll_720p", median(cpuScroll))
	set("wine_fps_scroll_720p", median(fps))
	set("wine_all_cpu_static_720p", median(wineStill))
	set("wine_all_cpu_scroll_720p", median(wineScroll))
	results.Note("Wine: %d sessions of the Windows agent under Wine 8 (GDI capture) on a 1280×720 Xvfb desktop; wine_agent_cpu is the agent's processes, wine_all_cpu every process of the prefix (with wineserver and explorer), neither the X server.", len(connect))
}

// prefixCPU returns the CPU time of every process of the Wine prefix (its
// environment names it).
func prefixCPU(b *testing.B, prefix *wine.Prefix) time.Duration {
	b.Helper()
	want := []byte("WINEPREFIX=" + prefix.Dir + "\x00")
	d, _ := cpuTimeOf(func(proc string, _ []string) bool {
		env, err := os.ReadFile(proc + "/environ")
		return err == nil && bytes.Contains(env, want)
	})
	return d
}
