package bench

import (
	"math"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"testing"
	"time"
)

// The default bench run (-bench .) leaves the 30-minute soak out; BENCH=Soak
// (or a pattern naming it) runs it.
func TestSoakOnlyWhenNamed(t *testing.T) {
	for pattern, want := range map[string]bool{".": false, "": false, "Screen": false, "Screen|Signaling": false,
		"Soak": true, "^BenchmarkSoak$": true, "Screen|Soak": true} {
		if got := soakChosen(pattern); got != want {
			t.Errorf("soakChosen(%q) = %v, want %v", pattern, got, want)
		}
	}
}

// LIFELINE_SOAK_DURATION sets the soak's length, 30 minutes by default, and a
// bad value is a clear error, not a zero-length run.
func TestSoakDuration(t *testing.T) {
	t.Setenv("LIFELINE_SOAK_DURATION", "")
	if d, err := soakDuration(); err != nil || d != 30*time.Minute {
		t.Fatalf("default: %v %v", d, err)
	}
	t.Setenv("LIFELINE_SOAK_DURATION", "5m")
	if d, err := soakDuration(); err != nil || d != 5*time.Minute || faultEvery(d) != 50*time.Second {
		t.Fatalf("5m: %v %v", d, err)
	}
	for _, bad := range []string{"5", "-1m", "soon"} {
		t.Setenv("LIFELINE_SOAK_DURATION", bad)
		if _, err := soakDuration(); err == nil || !strings.Contains(err.Error(), "LIFELINE_SOAK_DURATION") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// A failed step ends its session alone: the soak goes on, the failure is
// counted with its message, and the session's cleanups run (its agent and
// tab do not pile up).
func TestSoakFailedSessionEndsAlone(t *testing.T) {
	var cleaned, after []string
	failure := soakRun(t, func(st *soakT) {
		st.Cleanup(func() { cleaned = append(cleaned, "agent") })
		st.Cleanup(func() { cleaned = append(cleaned, "tab") })
		st.Fatalf("timed out waiting for %s", "the video")
		after = append(after, "ran on")
	})
	if failure != "timed out waiting for the video" || len(after) != 0 {
		t.Fatalf("failure %q, steps after it %v", failure, after)
	}
	if strings.Join(cleaned, ",") != "tab,agent" {
		t.Fatalf("cleanups %v, want both, last first", cleaned)
	}
	if t.Failed() {
		t.Fatal("the session's failure failed the whole soak")
	}
	if f := soakRun(t, func(st *soakT) { st.Cleanup(func() {}) }); f != "" {
		t.Fatalf("a passing session reported %q", f)
	}
	if f := soakRun(t, func(st *soakT) { var m map[string]int; m["x"] = 1 }); !strings.HasPrefix(f, "panic") {
		t.Fatalf("a panicking session reported %q", f)
	}
}

// A session's audit trail needs its created, started and ended events; the
// goroutine count comes from pprof's text page.
func TestSoakAuditHoleAndGoroutines(t *testing.T) {
	if h := auditHole([]string{"session.created", "permission.granted", "session.started", "session.ended"}); h != "" {
		t.Errorf("complete trail: %q", h)
	}
	if h := auditHole([]string{"session.created"}); h != "session.started, session.ended" {
		t.Errorf("trail without start and end: %q", h)
	}
	if n, err := goroutines("goroutine profile: total 1234\n5 @ 0x1 0x2\n"); n != 1234 || err != nil {
		t.Errorf("goroutines: %d %v", n, err)
	}
	if n, err := openFiles(os.Getpid()); err != nil || n < 3 {
		t.Errorf("this process's open files: %d %v", n, err)
	}
	if _, err := goroutines("404 page not found"); err == nil {
		t.Error("no error for a page without a total")
	}
}

// The soak's memory goal is about growth (a leak): a drop like the 30-minute
// run's 69.2 to 57.2 MB meets it and says so, 12 % growth does not.
func TestSoakMemoryVerdict(t *testing.T) {
	for _, tt := range []struct {
		start, end float64
		growth     float64
		says       string
	}{
		{69.2, 57.2, -17.3, "dropped by 17.3 % (goal met: growth at most 10 %, a drop is fine)"},
		{50, 54, 8, "grew by 8.0 % (goal met"},
		{50, 56, 12, "grew by 12.0 % (goal NOT met"},
	} {
		if g := memGrowth(tt.start, tt.end); math.Abs(g-tt.growth) > 0.05 {
			t.Errorf("growth %v → %v: %.2f %%, want %.1f", tt.start, tt.end, g, tt.growth)
		}
		if v := memVerdict(tt.start, tt.end); !strings.Contains(v, tt.says) {
			t.Errorf("verdict for %v → %v: %q, want it to say %q", tt.start, tt.end, v, tt.says)
		}
	}
	// The table's goal is on the live heap's growth; resident memory and end
	// values carry no goal.
	found := false
	for _, g := range soakGoals() {
		found = found || g.Key == "soak_heap_growth_pct" && g.Max == soakMaxGrowth
		if strings.HasPrefix(g.Key, "soak_mem") && (g.Max != 0 || strings.Contains(g.What, "within")) {
			t.Errorf("resident memory still reads as a goal: %+v", g)
		}
	}
	if !found {
		t.Error("no soak_heap_growth_pct goal")
	}
}

// Memory is compared within one signaling process: the 10-minute run's
// "69.4 → 38.0 MB" compared the first process with the one the last restart
// started. The process whose live heap grew most, over two sessions at
// least, is reported.
func TestSoakMemoryPerProcess(t *testing.T) {
	var ps []soakProcess
	for _, o := range []soakSample{
		{100, true, 10.0, 69.4, 94, 29}, {100, true, 10.1, 70.0, 95, 29}, {100, true, 10.2, 71.0, 96, 29}, // +2 %
		{200, false, 5.0, 30.0, 70, 27},                                // restarted mid-session: no baseline
		{200, true, 8.0, 40.0, 80, 28}, {200, true, 9.2, 46.0, 90, 29}, // +15 %: a new process, its own start
		{300, false, 6.0, 35.0, 80, 28}, {300, true, 7.0, 38.0, 85, 28}, // one whole session: no growth to tell
	} {
		ps = observe(ps, o)
	}
	if len(ps) != 3 || ps[0].sessions != 3 || ps[1].heapStart != 8 || ps[1].memStart != 40 || ps[2].sessions != 1 {
		t.Fatalf("processes %+v", ps)
	}
	w := worstProcess(ps)
	if w.pid != 200 || math.Abs(w.growth()-15) > 0.01 || w.gStart != 80 || w.gEnd != 90 || w.memEnd != 46 || w.fdStart != 28 || w.fdEnd != 29 {
		t.Fatalf("worst %+v (growth %.1f), want process 200 at +15 %%", w, w.growth())
	}
	if got := worstProcess(ps[2:]); got.pid != 300 {
		t.Fatalf("a run of one process with one session reports %+v", got)
	}
	if s := ps[1].String(); s != "live heap 8.0 → 9.2 MB (+15.0 %, +1229 KB per session), RSS 40.0 → 46.0 MB, goroutines 80 → 90, open files 28 → 29, over 2 sessions" {
		t.Fatalf("report line %q", s)
	}
}

// The live heap comes from the page net/http/pprof serves (this process's
// own, as signaling's --metrics-addr serves it).
func TestSoakHeapFromPprof(t *testing.T) {
	var page strings.Builder
	if err := pprof.Lookup("heap").WriteTo(&page, 1); err != nil {
		t.Fatal(err)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	mb, err := heapMB(page.String())
	if err != nil || mb <= 0 || mb > 10*float64(ms.HeapSys)/(1<<20) {
		t.Fatalf("heap %.2f MB, %v (HeapSys %d)", mb, err, ms.HeapSys)
	}
	if _, err := heapMB("404 page not found"); err == nil {
		t.Error("no error for a page without HeapAlloc")
	}
}
