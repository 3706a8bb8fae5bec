package e2e

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lifeline-support/lifeline/e2e/netns"
	"github.com/lifeline-support/lifeline/e2e/testwindow/twtest"
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
// 1 Mbit/s; the limit lifted, it is back above 1 Mbit/s. The goals
// are 5 s and 10 s: the times are logged to compare with them, and the test
// waits longer, as timing is not a pass/fail matter on a shared machine.
// (Before the agent led GCC's estimate back up after a fall, see
// congestion.RecoverGain, the climb from the estimate's floor took half a
// minute: CI saw 100 kbit/s for 18 s, then 538 kbit/s 20 s after the limit
// was lifted.)
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

	// Each reading of the target, kept (when it changes) for the log.
	var seen []string
	last, began := -2, time.Now()
	kbps := func() int {
		k := int(Eval[float64](t, tech, "the agent's estimate",
			`(() => { const e = document.getElementById("link"); return e && e.dataset.kbps ? Number(e.dataset.kbps) : -1; })()`))
		if k != last {
			seen = append(seen, fmt.Sprintf("%.1fs:%d", time.Since(began).Seconds(), k))
			last = k
		}
		return k
	}
	defer func() { t.Logf("target (kbit/s) as the console saw it: %v", seen) }()
	waitFor(t, "the agent's estimate above 1 Mbit/s on an unlimited link", func() bool { return kbps() >= 1000 })
	t.Logf("unlimited: target %d kbit/s", kbps())

	limited := time.Now()
	link.Set(t, netns.Impairment{Up: 1_000_000, RTT: 40 * time.Millisecond})
	waitForLong(t, "the target under 1 Mbit/s after the limit", 10*time.Second, func() bool { return kbps() < 1000 })
	t.Logf("1 Mbit/s up: target %d kbit/s after %v", kbps(), time.Since(limited).Round(10*time.Millisecond))

	// The connection's details: every figure, and the live chart of the
	// estimate and the agent's queueing delay, a point a second.
	tech.WaitJS(t, "the link indicator", `!document.getElementById("link").hidden`)
	run(t, tech.Page(), "open the connection's details", click("link"))
	tech.WaitJS(t, "three seconds of the chart and the queueing delay in the details",
		`(() => { const d = document.getElementById("link-details"); const q = d && d.querySelector('dd[data-key="queue"]');
			return !!d && !d.hidden && Number(document.getElementById("link-chart").dataset.points || 0) >= 3 && !!q && q.textContent.endsWith("ms"); })()`)
	t.Logf("details under 1 Mbit/s: %q", Eval[string](t, tech, "the details", `document.getElementById("link-details").innerText`))

	lifted := time.Now()
	link.Set(t, netns.Impairment{})
	waitForLong(t, "the target back above 1 Mbit/s after lifting the limit", time.Minute, func() bool { return kbps() >= 1000 })
	t.Logf("limit lifted: target %d kbit/s after %v", kbps(), time.Since(lifted).Round(10*time.Millisecond))
	if os.Getenv("LIFELINE_SCREENSHOTS") != "" {
		writeShot(t, get(t, tech.Page(), "screenshot the connection's details", chromedp.CaptureScreenshot()), "workspace-link-details")
	}
}

// Issue 17: data channels share a slow link. While the customer sends the
// technician a file over a 1 Mbit/s uplink (the file takes only its share of
// the bandwidth estimate), the technician's click still reaches the
// customer's window before the file is through, and the screen keeps moving
// (watchTransfer: never still longer than frameStall).
func TestClickArrivesDuringATransferOnASlowUplink(t *testing.T) {
	link := netns.NewLink(t, netns.Impairment{Up: 1_000_000, RTT: 40 * time.Millisecond})
	ip := link.Server.String()
	stack := StartWith(t, Options{SignalingArgs: []string{"--addr", ip + ":0", "--turn-listen", ip + ":0"}})
	stack.Behind(link.Customer)
	win := twtest.Start(t, stack.Display, twtest.Options{X: 200, Y: 120, W: 400, H: 300})
	tech, customer := stack.InControl(t, "Slow Uplink")

	path, sum := MakeFile(t, "scan.pdf", 1<<20)
	customer.SendFile(t, path)
	start := time.Now()
	cx, cy := win.Center()
	var mark int
	var clicked, arrived time.Time
	watchTransfer(t, tech, customer, "the file at the technician", func() bool {
		if clicked.IsZero() && tech.Files(t).moved() > 0 {
			mark = win.Mark(t)
			tech.Click(t, cx, cy)
			clicked = time.Now()
		}
		if !clicked.IsZero() && arrived.IsZero() && len(twtest.Filter(win.Events(t)[mark:], "button_press")) > 0 {
			arrived = time.Now()
		}
		return len(tech.Files(t).Received) == 1
	})
	took := time.Since(start)
	if arrived.IsZero() {
		t.Fatalf("the technician's click did not reach the customer's window while the file went (%v)", took.Round(time.Millisecond))
	}
	t.Logf("1 MiB over a 1 Mbit/s uplink in %v (%.0f kbit/s); the click arrived %v after it was made", took.Round(time.Millisecond), float64(8<<20)/took.Seconds()/1000, arrived.Sub(clicked).Round(time.Millisecond))
	if got := tech.Files(t).Received[0]; got.SHA256 != sum {
		t.Fatalf("received %+v, want sha %s", got, sum)
	}
}
