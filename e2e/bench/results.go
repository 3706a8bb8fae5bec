package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// Goal is one key of the results and the target issue 6 sets for it.
type Goal struct {
	Key  string
	What string
	Unit string
	// Max (or Min when Min is set) is the target; 0/0 means none.
	Max, Min float64
}

// Goals lists every key the benchmark writes, in table order.
var Goals = append([]Goal{
	{"g2g_ms_p50", "glass to glass, 1080p scrolling, median", "ms", 35, 0},
	{"g2g_ms_p95", "glass to glass, 1080p scrolling, p95", "ms", 60, 0},
	{"g2g_ms_p50_small", "glass to glass, a small change 60 times a second (the frame counter alone) on a still 1080p desktop, median", "ms", 20, 0},
	{"input_ms_p50", "click to photon, median", "ms", 50, 0},
	{"input_ms_p95", "click to photon, p95", "ms", 0, 0},
	{"fps_scroll_1080p", "frames decoded per second, 1080p scrolling", "fps", 0, 30},
	{"kbps_static", "video bitrate, still desktop", "kbit/s", 20, 0},
	{"kbps_typing", "video bitrate, typing", "kbit/s", 150, 0},
	{"kbps_scroll_1080p", "video bitrate, 1080p scrolling", "kbit/s", 3000, 0},
	{"agent_cpu_scroll_1080p", "agent CPU, 1080p scrolling", "cores", 0.5, 0},
	{"agent_cpu_static", "agent CPU, still desktop", "cores", 0.02, 0},
	{"agent_cpu_small", "agent CPU, a small change 60 times a second on a still 1080p desktop", "cores", 0, 0},
	{"connect_ms_p50", "agent start to first decoded frame, median", "ms", 1000, 0},
	{"asked_ms_p50", "of which: agent start to the customer asked (page opened by the test), median", "ms", 0, 0},
	{"allow_to_frame_ms_p50", "of which: the customer's Allow to the first decoded frame, median", "ms", 0, 0},
	{"file_MBps_with_video", "file transfer to the customer while the screen streams", "MB/s", 0, 80},
	{"file_MBps_browser_ceiling", "for reference: Chromium to itself over data channels in one page (no agent, no video), median", "MB/s", 0, 0},
	{"signaling_sessions_per_s", "sessions created and negotiated per second, one node", "1/s", 0, 500},
	{"signaling_idle_sessions_per_GiB", "idle connected agents per GiB of node memory", "agents", 0, 10000},
	{"signaling_idle_devices_per_GiB", "idle unattended devices per GiB of node memory", "devices", 0, 10000},
}, slices.Concat(networkGoals(), soakGoals(), privacyGoals())...)

// Results collects what the benchmarks measured.
type Results struct {
	mu      sync.Mutex
	values  map[string]float64
	samples map[string][]float64 // raw latencies for the chart
	notes   []string
	earlier []string // keys whose values come from the previous results
}

// NewResults returns empty results.
func NewResults() *Results {
	return &Results{values: map[string]float64{}, samples: map[string][]float64{}}
}

// Set records key's value.
func (r *Results) Set(key string, v float64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.values[key] = math.Round(v*1000) / 1000
}

// AddSamples keeps raw samples of a latency for the chart.
func (r *Results) AddSamples(name string, xs ...float64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.samples[name] = append(r.samples[name], xs...)
}

// Note adds a line under the table.
func (r *Results) Note(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notes = append(r.notes, fmt.Sprintf(format, args...))
}

// Empty reports whether nothing was measured.
func (r *Results) Empty() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.values) == 0
}

// Write writes latest.json (every goal key; missing ones are 0), latest.md and
// latest.png into dir. Keys this run did not measure keep their values from
// the latest.json already there, and notes of benchmarks that did not run
// stay, so that one benchmark run alone (BENCH=Networks) leaves the others'
// numbers.
func (r *Results) Write(dir string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	r.keepEarlier(dir)
	out := map[string]float64{}
	for _, g := range Goals {
		out[g.Key] = r.values[g.Key]
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "latest.json"), append(b, '\n'), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "latest.md"), []byte(r.markdown()), 0o644); err != nil {
		return err
	}
	chart, err := r.chart()
	if err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, "latest.png"))
	if err != nil {
		return err
	}
	if _, err := chart.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// keepEarlier adds the values of dir's latest.json that this run did not
// measure, and the notes of latest.md whose benchmark (the note's first word)
// wrote none this time; r.mu must be held.
func (r *Results) keepEarlier(dir string) {
	if b, err := os.ReadFile(filepath.Join(dir, "latest.json")); err == nil {
		var old map[string]float64
		if json.Unmarshal(b, &old) == nil {
			for k, v := range old {
				if _, ok := r.values[k]; !ok && v != 0 {
					r.values[k] = v
					r.earlier = append(r.earlier, k)
				}
			}
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "latest.md"))
	if err != nil {
		return
	}
	ran := map[string]bool{}
	for _, n := range r.notes {
		ran[noteBenchmark(n)] = true
	}
	var kept []string
	for _, l := range strings.Split(string(b), "\n") {
		if n, ok := strings.CutPrefix(l, "- "); ok && !ran[noteBenchmark(n)] {
			kept = append(kept, n)
		}
	}
	r.notes = append(kept, r.notes...)
}

// noteBenchmark is the benchmark a note is about: its first word.
func noteBenchmark(note string) string {
	w, _, _ := strings.Cut(note, " ")
	return strings.TrimSuffix(w, ":")
}

// number writes v for people: four significant digits at most, never in
// exponent notation (23,000 rather than 2.3e+04).
func number(v float64) string {
	switch a := math.Abs(v); {
	case a >= 1000:
		return thousands(int64(math.Round(v)))
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 3, 64)
	}
}

func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}

func (r *Results) markdown() string {
	var b strings.Builder
	host, _ := os.Hostname()
	fmt.Fprintf(&b, "# Lifeline benchmark, %s (%s, %d CPUs)\n\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"), host, numCPU())
	b.WriteString("| key | what | value | goal | met |\n|---|---|---:|---|:-:|\n")
	for _, g := range Goals {
		v, ok := r.values[g.Key]
		val, goal, met := "—", "", ""
		if ok {
			val = strings.TrimSpace(number(v) + " " + g.Unit)
			if slices.Contains(r.earlier, g.Key) {
				val += " (earlier run)"
			}
		}
		switch {
		case g.Max > 0:
			goal = "≤ " + number(g.Max) + " " + g.Unit
			if ok {
				met = yes(v <= g.Max)
			}
		case g.Min > 0:
			goal = "≥ " + number(g.Min) + " " + g.Unit
			if ok {
				met = yes(v >= g.Min)
			}
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", g.Key, g.What, val, goal, met)
	}
	if len(r.notes) > 0 {
		b.WriteString("\n")
		for _, n := range r.notes {
			fmt.Fprintf(&b, "- %s\n", n)
		}
	}
	b.WriteString("\n![latency distributions](latest.png)\n")
	return b.String()
}

func yes(ok bool) string {
	if ok {
		return "✓"
	}
	return "✗"
}

// chart plots the cumulative distribution of each latency sample set (up to
// the largest 99th percentile), as a PNG.
func (r *Results) chart() (io.WriterTo, error) {
	p := plot.New()
	p.Title.Text = "Latency distributions"
	p.X.Label.Text = "latency (ms)"
	p.Y.Label.Text = "cumulative share of samples"
	p.Y.Min, p.Y.Max = 0, 1
	p.Add(plotter.NewGrid())
	p.Legend.Top = false // bottom right, where the curves have reached 1
	p.Legend.Left = false
	names := make([]string, 0, len(r.samples))
	maxMS := 10.0
	for n, xs := range r.samples {
		if len(xs) == 0 {
			continue
		}
		names = append(names, n)
		maxMS = max(maxMS, percentileOf(xs, 99))
	}
	slices.Sort(names)
	p.X.Min, p.X.Max = 0, maxMS
	for i, n := range names {
		xs := slices.Clone(r.samples[n])
		slices.Sort(xs)
		pts := make(plotter.XYs, 0, len(xs)+1)
		pts = append(pts, plotter.XY{X: 0, Y: 0})
		for j, x := range xs {
			pts = append(pts, plotter.XY{X: min(x, maxMS), Y: float64(j+1) / float64(len(xs))})
		}
		line, err := plotter.NewLine(pts)
		if err != nil {
			return nil, fmt.Errorf("chart %s: %w", n, err)
		}
		line.StepStyle = plotter.PostStep
		line.Color = plotutil.Color(i)
		line.Width = vg.Points(1.5)
		p.Add(line)
		p.Legend.Add(fmt.Sprintf("%s (n=%d, p50 %.0f, p95 %.0f)", n, len(xs), percentileOf(xs, 50), percentileOf(xs, 95)), line)
	}
	return p.WriterTo(9*vg.Inch, 5*vg.Inch, "png")
}

// percentileOf returns the p-th percentile (nearest rank) of xs.
func percentileOf(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[max(0, min(i, len(s)-1))]
}

// median is the 50th percentile.
func median(xs []float64) float64 { return percentileOf(xs, 50) }

func numCPU() int { return runtime.NumCPU() }
