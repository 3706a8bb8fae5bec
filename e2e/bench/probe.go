package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lifeline-support/lifeline/e2e"
)

// probeJS is injected into the console: on every decoded video frame
// (requestVideoFrameCallback) it reads the pattern's bottom strip from a canvas,
// decodes the counter (value and complement must agree), and notes the click
// target's colour. It also notes every pointerdown on the page. All times are
// Date.now(), the same clock the pattern program uses.
const probeJS = `(() => {
	if (window.benchProbe) return true;
	const v = lifeline.video, W = 1920, H = 48;
	const c = document.createElement("canvas"); c.width = W; c.height = H;
	const g = c.getContext("2d", { willReadFrequently: true });
	const p = { seen: [], targets: [], clicks: [], frames: 0, last: -1, target: -1, lastAt: 0, freezes: 0 };
	const lum = (d, x, y) => { const i = (y * W + x) * 4; return (d[i] + d[i + 1] + d[i + 2]) / 3; };
	const onFrame = () => {
		const t = Date.now();
		p.frames++;
		if (p.lastAt && t - p.lastAt > %[6]d) p.freezes++;
		p.lastAt = t;
		if (v.videoWidth) {
			const sh = H * v.videoHeight / 1080;
			g.drawImage(v, 0, v.videoHeight - sh, v.videoWidth, sh, 0, 0, W, H);
			const d = g.getImageData(0, 0, W, H).data;
			let bits = 0;
			for (let i = 0; i < 32; i++) bits = (bits << 1 | (lum(d, %[1]d + i * %[2]d + %[3]d / 2, %[4]d + %[3]d / 2) > 128 ? 1 : 0)) >>> 0;
			const val = bits >>> 16, inv = bits & 0xffff;
			if ((val ^ inv) === 0xffff && val !== p.last) { p.last = val; p.seen.push([val, t]); }
			const tg = lum(d, %[5]d, %[4]d + %[3]d / 2) > 128 ? 1 : 0;
			if (tg !== p.target) { if (p.target !== -1) p.targets.push(t); p.target = tg; }
		}
		v.requestVideoFrameCallback(onFrame);
	};
	v.requestVideoFrameCallback(onFrame);
	document.addEventListener("pointerdown", () => p.clicks.push(Date.now()), true);
	p.strip = () => { const d = g.getImageData(0, 0, W, H).data; const out = [v.videoWidth, v.videoHeight];
		for (let i = 0; i < 32; i++) out.push(Math.round(lum(d, %[1]d + i * %[2]d + %[3]d / 2, %[4]d + %[3]d / 2))); return out; };
	window.benchProbe = p;
	return true;
})()`

// Probe reads the console through the injected probe.
type Probe struct {
	t   testing.TB
	ctx context.Context
}

// NewProbe injects the probe into the technician's console.
func NewProbe(t testing.TB, tech *e2e.Technician) *Probe {
	t.Helper()
	p := &Probe{t: t, ctx: tech.Page()}
	eval[bool](p, fmt.Sprintf(probeJS, blockX0, blockStep, blockSize, blockY0, targetX, freezeGap.Milliseconds()))
	return p
}

func eval[T any](p *Probe, js string, opts ...chromedp.EvaluateOption) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, e2e.Timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, opts...))
	if err != nil {
		p.t.Fatalf("probe: %v", err)
	}
	return v
}

// Seen returns, and forgets, the counter values decoded so far with the time
// each was first seen (Unix ms).
func (p *Probe) Seen() [][2]int64 {
	return eval[[][2]int64](p, `(() => { const s = benchProbe.seen; benchProbe.seen = []; return s; })()`)
}

// freezeGap is the longest the console may go without a new frame while the
// screen changes before the gap counts as a freeze.
const freezeGap = 500 * time.Millisecond

// Freezes returns, and forgets, how many gaps longer than freezeGap there were
// between decoded frames, counting one still going on now. Call it before a
// window to start counting.
func (p *Probe) Freezes() int {
	return eval[int](p, fmt.Sprintf(`(() => {
		let n = benchProbe.freezes; benchProbe.freezes = 0;
		if (benchProbe.lastAt && Date.now() - benchProbe.lastAt > %d) { n++; benchProbe.lastAt = 0; }
		return n; })()`, freezeGap.Milliseconds()))
}

// Strip returns the video's size and the brightness of the 32 counter blocks
// in the last frame the probe read, to tell why no counter was decoded.
func (p *Probe) Strip() []int { return eval[[]int](p, `benchProbe.strip()`) }

// Targets returns the times (Unix ms) the click target changed colour.
func (p *Probe) Targets() []int64 { return eval[[]int64](p, `benchProbe.targets`) }

// Clicks returns the times (Unix ms) of mousedown events in the console.
func (p *Probe) Clicks() []int64 { return eval[[]int64](p, `benchProbe.clicks`) }

// Stats is a snapshot of the console's received video (getStats, inbound-rtp).
type Stats struct {
	At            time.Time
	Bytes         float64
	FramesDecoded float64
	// Totals in seconds: time frames spent in the jitter buffer (for
	// JitterEmitted frames), decoding, and from first packet to decoded.
	JitterBuffer, JitterEmitted, Decode, Processing float64
	NACKs, PacketsLost, FramesDropped               float64
	// Keyframes decoded, keyframe requests (PLI) sent, and lost packets
	// that came back on the retransmission (RTX) stream.
	KeyFrames, PLIs, Retransmitted float64
}

// Stats reads the video receiver's getStats.
func (p *Probe) Stats() Stats {
	v := eval[[]float64](p, `(async () => {
		const s = await lifeline.pc.getStats();
		for (const r of s.values()) if (r.type === "inbound-rtp" && r.kind === "video")
			return [r.bytesReceived, r.framesDecoded, r.jitterBufferDelay || 0, r.jitterBufferEmittedCount || 0,
				r.totalDecodeTime || 0, r.totalProcessingDelay || 0, r.nackCount || 0, r.packetsLost || 0, r.framesDropped || 0,
				r.keyFramesDecoded || 0, r.pliCount || 0, r.retransmittedPacketsReceived || 0];
		return [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
	})()`, chromedp.EvalAwaitPromise)
	return Stats{At: time.Now(), Bytes: v[0], FramesDecoded: v[1], JitterBuffer: v[2], JitterEmitted: v[3],
		Decode: v[4], Processing: v[5], NACKs: v[6], PacketsLost: v[7], FramesDropped: v[8],
		KeyFrames: v[9], PLIs: v[10], Retransmitted: v[11]}
}

// Receiver describes the browser's side of a window between two snapshots:
// milliseconds per frame in the jitter buffer, decoding, and from first
// packet to decoded; NACKs sent, packets lost, frames dropped, PLIs sent,
// keyframes decoded and packets retransmitted on the RTX stream.
func Receiver(s0, s1 Stats) string {
	per := func(a, b, n0, n1 float64) float64 {
		if n1 <= n0 {
			return 0
		}
		return (b - a) / (n1 - n0) * 1000
	}
	return fmt.Sprintf("jitter buffer %.0f ms, decode %.1f ms, first packet to decoded %.0f ms a frame; %.0f NACKs, %.0f packets lost, %.0f frames dropped, %.0f PLIs, %.0f keyframes, %.0f packets on RTX",
		per(s0.JitterBuffer, s1.JitterBuffer, s0.JitterEmitted, s1.JitterEmitted),
		per(s0.Decode, s1.Decode, s0.FramesDecoded, s1.FramesDecoded),
		per(s0.Processing, s1.Processing, s0.FramesDecoded, s1.FramesDecoded),
		s1.NACKs-s0.NACKs, s1.PacketsLost-s0.PacketsLost, s1.FramesDropped-s0.FramesDropped,
		s1.PLIs-s0.PLIs, s1.KeyFrames-s0.KeyFrames, s1.Retransmitted-s0.Retransmitted)
}

// Click clicks the middle of the remote screen in the console, through the
// DevTools protocol as a real mouse would.
func (p *Probe) Click() {
	p.t.Helper()
	xy := eval[[]float64](p, `(() => { const r = lifeline.video.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })()`)
	ctx, cancel := context.WithTimeout(p.ctx, e2e.Timeout)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.MouseClickXY(xy[0], xy[1])); err != nil {
		p.t.Fatalf("click: %v", err)
	}
}

// cpuTime returns the user+system CPU time the processes of process group
// pid have used: the agent runs in a group of its own, as a supervisor and
// the worker that captures and encodes.
func cpuTime(t testing.TB, pid int) time.Duration {
	t.Helper()
	group := strconv.Itoa(pid)
	d, found := cpuTimeOf(func(_ string, f []string) bool { return f[2] == group })
	if !found {
		t.Fatalf("no process in group %d", pid)
	}
	return d
}

// cpuTimeOf returns the user+system CPU time of the processes keep chooses
// (from /proc/<pid>, and the fields of its stat after the command name) and
// whether there was any.
func cpuTimeOf(keep func(proc string, fields []string) bool) (time.Duration, bool) {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var ticks int64
	found := false
	for _, p := range stats {
		b, err := os.ReadFile(p)
		if err != nil {
			continue // gone meanwhile
		}
		// Fields after the command name (which may hold spaces): state is
		// [0], process group [2], utime [11], stime [12], in clock ticks
		// (100 per second on Linux).
		f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
		if len(f) < 13 || !keep(filepath.Dir(p), f) {
			continue
		}
		found = true
		u, _ := strconv.ParseInt(f[11], 10, 64)
		s, _ := strconv.ParseInt(f[12], 10, 64)
		ticks += u + s
	}
	return time.Duration(ticks) * 10 * time.Millisecond, found
}

// rss returns process pid's resident memory in bytes.
func rss(t testing.TB, pid int) float64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
			return kb * 1024
		}
	}
	t.Fatalf("no VmRSS for pid %d", pid)
	return 0
}
