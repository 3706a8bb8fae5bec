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
