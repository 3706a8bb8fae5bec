package congestion

import (
	"testing"
	"time"
)

// clean and congested are GCC's signals for an estimate est on a link with
// room, and on one whose queue grows.
func clean(est int) signals     { return signals{est: est, delay: est} }
func congested(est int) signals { return signals{est: est, delay: est, overuse: true} }

// gccClimb is pion's GCC climbing on its own on a clean link: 8 % a second,
// a step every 100 ms.
func gccClimb(est int) int { return int(float64(est) * 1.0077) }

// Issue 17: after a deep fall the estimate climbed back at GCC's 8 % a
// second, from its 100 kbit/s floor to 216 kbit/s in 10 s of a clean link
// (CI: 538 kbit/s 20 s after a limit was lifted). Now the rate the encoder
// follows leads it, doubling each second once the link has been clean for
// ProbeAfter, up to the highest estimate seen: over 1 Mbit/s well within
// the 10 s, never above that peak. The clock is the test's.
func TestRateLeadsTheEstimateBackUpAfterADeepFall(t *testing.T) {
	var r recovery
	now := time.Unix(0, 0)
	est := 2_700_000
	r.step(now, clean(est), 2_500_000)
	// The fall, in a few steps of GCC's decreases, to its floor.
	for _, e := range []int{1_200_000, 400_000, MinBitRate} {
		now = now.Add(200 * time.Millisecond)
		if got := r.step(now, congested(e), est); got != e {
			t.Fatalf("falling to %d: rate %d, want the estimate", e, got)
		}
		est = e
	}
	lifted := now
	var rate int
	reached := time.Duration(0)
	for now.Sub(lifted) < 20*time.Second {
		now = now.Add(100 * time.Millisecond)
		old := est
		est = gccClimb(est)
		rate = r.step(now, clean(est), old)
		if rate > 2_700_000 {
			t.Fatalf("rate %d above the highest estimate seen, 2700000", rate)
		}
		if rate < est {
			t.Fatalf("rate %d under the estimate %d", rate, est)
		}
		if reached == 0 && rate >= 1_000_000 {
			reached = now.Sub(lifted)
		}
	}
	if reached == 0 || reached > 10*time.Second {
		t.Fatalf("rate over 1 Mbit/s %v after the link cleared (0: never in 20 s; GCC alone: %d bit/s); want within 10 s", reached, est)
	}
	if rate != 2_700_000 {
		t.Errorf("rate %d after 20 s of a clean link; want the peak, 2700000", rate)
	}
	t.Logf("rate over 1 Mbit/s %v after the link cleared; GCC's own estimate %d bit/s 20 s after", reached, est)
}

// A lead that runs into the link's limit (GCC decreases) ends, and the next
// one waits twice as long: a link that stays slow is probed ever more
// rarely. While the link is not clean, a lead does not grow.
func TestALeadThatFindsTheLimitWaitsLongerForTheNext(t *testing.T) {
	var r recovery
	now := time.Unix(0, 0)
	r.step(now, clean(2_000_000), 2_000_000)
	now = now.Add(100 * time.Millisecond)
	r.step(now, congested(500_000), 2_000_000) // the fall
	est := 500_000
	// waitLead steps a clean link at GCC's pace until the rate leads the
	// estimate, and returns how long that took.
	waitLead := func() time.Duration {
		start := now
		for now.Sub(start) < time.Minute {
			now = now.Add(100 * time.Millisecond)
			old := est
			est = gccClimb(est)
			if r.step(now, clean(est), old) > est {
				return now.Sub(start)
			}
		}
		t.Fatal("no lead within a minute of a clean link")
		return 0
	}
	first := waitLead()
	if first > ProbeAfter+200*time.Millisecond {
		t.Errorf("first lead after %v; want after ProbeAfter, %v", first, ProbeAfter)
	}
	lead := r.lead
	now = now.Add(100 * time.Millisecond)
	if got := r.step(now, signals{est: est + 1, delay: est + 1, loss: 0.05}, est); got != lead {
		t.Errorf("5 %% loss: rate %d, want the lead held at %d", got, lead)
	}
	est++
	// The lead found the limit: GCC decreases.
	now = now.Add(100 * time.Millisecond)
	if got := r.step(now, congested(450_000), est); got != 450_000 {
		t.Errorf("after the decrease: rate %d, want the estimate 450000", got)
	}
	est = 450_000
	second := waitLead()
	if second < 2*ProbeAfter {
		t.Errorf("second lead %v after the failed one; want at least %v", second, 2*ProbeAfter)
	}
}

// GCC's estimate may sit still under a lead (its loss-based half climbs 5 %
// per 200 ms at most) while its delay-based half sees the queue grow: the
// lead falls back to what the delay-based half says arrived, not to the
// stale estimate, and not stays where it was.
func TestALeadEndsWhenGCCSeesTheQueueGrow(t *testing.T) {
	var r recovery
	now := time.Unix(0, 0)
	r.step(now, clean(3_000_000), 3_000_000)
	now = now.Add(100 * time.Millisecond)
	r.step(now, congested(MinBitRate), 3_000_000)
	for range 60 { // six seconds of a clean link: the lead grows
		now = now.Add(100 * time.Millisecond)
		r.step(now, clean(MinBitRate), MinBitRate)
	}
	if r.lead < 1_000_000 {
		t.Fatalf("lead %d after six clean seconds; want over 1 Mbit/s", r.lead)
	}
	now = now.Add(100 * time.Millisecond)
	got := r.step(now, signals{est: MinBitRate, delay: 850_000, overuse: true}, MinBitRate)
	if got != 850_000 {
		t.Errorf("overuse under a lead of %d: rate %d, want the delay-based 850000", r.lead, got)
	}
	if r.fails != 1 {
		t.Errorf("fails %d, want 1", r.fails)
	}
}
