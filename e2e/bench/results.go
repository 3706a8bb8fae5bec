package bench

import (
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
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
	{"input_ms_p50", "click to photon, median", "ms", 50, 0},
	{"input_ms_p95", "click to photon, p95", "ms", 0, 0},
	{"fps_scroll_1080p", "frames decoded per second, 1080p scrolling", "fps", 0, 30},
	{"kbps_static", "video bitrate, still desktop", "kbit/s", 20, 0},
	{"kbps_typing", "video bitrate, typing", "kbit/s", 150, 0},
	{"kbps_scroll_1080p", "video bitrate, 1080p scrolling", "kbit/s", 3000, 0},
	{"agent_cpu_scroll_1080p", "agent CPU, 1080p scrolling", "cores", 0.5, 0},
	{"agent_cpu_static", "agent CPU, still desktop", "cores", 0.02, 0},
	{"connect_ms_p50", "agent start to first decoded frame, median", "ms", 1000, 0},
	{"asked_ms_p50", "of which: agent start to the customer asked (page opened by the test), median", "ms", 0, 0},
	{"allow_to_frame_ms_p50", "of which: the customer's Allow to the first decoded frame, median", "ms", 0, 0},
	{"file_MBps_with_video", "file transfer to the customer while the screen streams", "MB/s", 0, 80},
	{"file_MBps_browser_ceiling", "for reference: Chromium to itself over data channels in one page (no agent, no video), median", "MB/s", 0, 0},
	{"signaling_sessions_per_s", "sessions created and negotiated per second, one node", "1/s", 0, 500},
	{"signaling_idle_sessions_per_GiB", "idle connected agents per GiB of node memory", "agents", 0, 10000},
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
	f, err := os.Create(filepath.Join(dir, "latest.png"))
	if err != nil {
		return err
	}
	if err := png.Encode(f, r.chart()); err != nil {
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

// chart draws the cumulative distribution of each latency sample set.
func (r *Results) chart() image.Image {
	const W, H, left, right, top, bottom = 900, 500, 60, 20, 40, 50
	img := image.NewRGBA(image.Rect(0, 0, W, H))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
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
	step := niceStep(maxMS / 8)
	maxMS = math.Ceil(maxMS/step) * step
	px := func(ms float64) int { return left + int(ms/maxMS*float64(W-left-right)) }
	py := func(q float64) int { return H - bottom - int(q*float64(H-top-bottom)) }
	grey := color.RGBA{0xdd, 0xdd, 0xdd, 0xff}
	for ms := 0.0; ms <= maxMS+step/2; ms += step {
		vline(img, px(ms), py(1), py(0), grey)
		label(img, px(ms)-8, H-bottom+16, fmt.Sprintf("%g", ms))
	}
	for q := 0.0; q <= 1.0001; q += 0.25 {
		hline(img, px(0), px(maxMS), py(q), grey)
		label(img, 10, py(q)+4, fmt.Sprintf("%3.0f%%", q*100))
	}
	label(img, W/2-60, H-12, "latency (ms), cumulative share of samples")
	colors := []color.RGBA{{0xd0, 0x30, 0x30, 0xff}, {0x20, 0x60, 0xd0, 0xff}, {0x20, 0x90, 0x40, 0xff}, {0x90, 0x40, 0xa0, 0xff}}
	for i, n := range names {
		c := colors[i%len(colors)]
		xs := slices.Clone(r.samples[n])
		slices.Sort(xs)
		prevX, prevY := px(0), py(0)
		for j, x := range xs {
			nx, ny := px(min(x, maxMS)), py(float64(j+1)/float64(len(xs)))
			hline(img, prevX, nx, prevY, c)
			vline(img, nx, ny, prevY, c)
			prevX, prevY = nx, ny
		}
		label(img, left+14+i*420, 24, fmt.Sprintf("%s (n=%d, p50 %.0f, p95 %.0f)", n, len(xs), percentileOf(xs, 50), percentileOf(xs, 95)))
		hline(img, left+i*420, left+i*420+8, 20, c)
		hline(img, left+i*420, left+i*420+8, 21, c)
	}
	return img
}

func hline(img *image.RGBA, x0, x1, y int, c color.Color) {
	for x := min(x0, x1); x <= max(x0, x1); x++ {
		img.Set(x, y, c)
	}
}

func vline(img *image.RGBA, x, y0, y1 int, c color.Color) {
	for y := min(y0, y1); y <= max(y0, y1); y++ {
		img.Set(x, y, c)
	}
}

func label(img *image.RGBA, x, y int, s string) {
	d := font.Drawer{Dst: img, Src: image.Black, Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

// niceStep rounds x up to 1, 2 or 5 times a power of ten.
func niceStep(x float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= x {
			return m * p
		}
	}
	return 10 * p
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
