package e2e

import (
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/e2e/netns"
)

// The console's link indicator shows the agent's bandwidth estimate; on a
// good link no warning, and once the customer's uplink drops to 500 kbit/s
// while the screen moves, the estimate cuts the picture and the console says
// "Bad connection: the picture is reduced".
func TestConsoleSaysBadConnectionWhenThePictureIsReduced(t *testing.T) {
	link := netns.NewLink(t, netns.Impairment{})
	ip := link.Server.String()
	stack := StartWith(t, Options{SignalingArgs: []string{"--addr", ip + ":0", "--turn-listen", ip + ":0"}})
	stack.Behind(link.Customer)
	tech := stack.Technician(t)
	customer := stack.Customer(t, tech.NewSession(t, "Slow Uplink"))
	customer.OpenPage(t)
	customer.Allow(t)
	tech.WaitVideo(t)
	// Noise in a 300×200 window (one X request: 240 kB, under its limit) is
	// more than 500 kbit/s at any quality.
	Animate(t, stack.Display, 100, 100, 300, 200)

	tech.WaitJS(t, "the agent's estimate in the link indicator",
		`(() => { const e = document.getElementById("link"); return !!e && !e.hidden && e.dataset.kbps !== ""; })()`)
	if bad := Eval[bool](t, tech, "the warning", `!document.getElementById("link-bad").hidden`); bad {
		t.Fatalf("the console warns of a bad connection on an unlimited link: %q",
			Eval[string](t, tech, "the indicator", `document.getElementById("link").textContent`))
	}
	t.Logf("good link: %q", Eval[string](t, tech, "the indicator", `document.getElementById("link").textContent`))

	link.Set(t, netns.Impairment{Up: 500_000, RTT: 40 * time.Millisecond})
	tech.WaitJS(t, "the bad-connection warning", `!document.getElementById("link-bad").hidden`)
	if got := Eval[string](t, tech, "the warning", `document.getElementById("link-bad").textContent`); got != "Bad connection: the picture is reduced" {
		t.Errorf("warning %q", got)
	}
	t.Logf("500 kbit/s up: %q", Eval[string](t, tech, "the indicator", `document.getElementById("link").textContent`))
}

// The proof that the estimator drives the encoder on a real link: the
// customer's uplink limited to 1 Mbit/s while the screen moves, the agent's
// target bit rate (what the console's link indicator shows) falls under
// 1 Mbit/s within 5 s; the limit lifted, it is back above 1 Mbit/s within
// 10 s (the bounds; the times are logged, not asserted tighter).
func TestTargetBitRateFollowsTheCustomersUplink(t *testing.T) {
	link := netns.NewLink(t, netns.Impairment{})
	ip := link.Server.String()
	stack := StartWith(t, Options{SignalingArgs: []string{"--addr", ip + ":0", "--turn-listen", ip + ":0"}})
	stack.Behind(link.Customer)
	tech := stack.Technician(t)
	customer := stack.Customer(t, tech.NewSession(t, "DSL Uplink"))
	customer.OpenPage(t)
	customer.Allow(t)
	tech.WaitVideo(t)
	Animate(t, stack.Display, 100, 100, 300, 200)

	kbps := func() int {
		return int(Eval[float64](t, tech, "the agent's estimate",
			`(() => { const e = document.getElementById("link"); return e && e.dataset.kbps ? Number(e.dataset.kbps) : -1; })()`))
	}
	waitFor(t, "the agent's estimate above 1 Mbit/s on an unlimited link", func() bool { return kbps() >= 1000 })
	t.Logf("unlimited: target %d kbit/s", kbps())

	limited := time.Now()
	link.Set(t, netns.Impairment{Up: 1_000_000, RTT: 40 * time.Millisecond})
	waitForLong(t, "the target under 1 Mbit/s within 5 s of the limit", 5*time.Second, func() bool { return kbps() < 1000 })
	t.Logf("1 Mbit/s up: target %d kbit/s after %v", kbps(), time.Since(limited).Round(10*time.Millisecond))

	lifted := time.Now()
	link.Set(t, netns.Impairment{})
	waitForLong(t, "the target back above 1 Mbit/s within 10 s of lifting the limit", 10*time.Second, func() bool { return kbps() >= 1000 })
	t.Logf("limit lifted: target %d kbit/s after %v", kbps(), time.Since(lifted).Round(10*time.Millisecond))
}
