package e2e

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// settle is how long a layout may take to follow a resize before a test
// reports what it sees.
const settle = 10 * time.Second

// waitForOr polls cond until it holds; after settle it calls fail instead.
func waitForOr(t testing.TB, cond func() bool, fail func()) {
	t.Helper()
	deadline := time.Now().Add(settle)
	for !cond() {
		if time.Now().After(deadline) {
			fail()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// fitScale is how large the console shows the customer's w-pixel-wide screen
// in Fit (the default view): the width of the picture actually drawn (the
// video box, contain-fitted) over the screen's own width. js is evaluated in
// the window holding the video.
const fitScaleJS = `(() => {
	const v = lifeline.video, r = v.getBoundingClientRect();
	if (!v.videoWidth) return 0;
	const s = Math.min(r.width / v.videoWidth, r.height / v.videoHeight);
	return v.videoWidth * s / %d;
})()`

// The customer's screen comes first: a 1920×1080 desktop in Fit gets at
// least 70 % of its size in a 1440×900 browser and at least 90 % in a
// 1920×1080 one, on the workspace page and in the queue's tab alike (the
// old layout, under rows of text buttons between two side columns, gave it
// about 41 %).
func TestFitScaleOfAFullHDScreen(t *testing.T) {
	stack := StartWith(t, Options{Width: 1920, Height: 1080})
	tech := stack.Technician(t)
	c := stack.Customer(t, tech.NewSession(t, "Marie Dupont"))
	c.OpenPage(t)
	c.Allow(t)
	tech.WaitVideoSize(t, 1920, 1080)

	goals := []struct {
		w, h int64
		min  float64
	}{{1440, 900, 0.70}, {1920, 1080, 0.90}}
	for _, g := range goals {
		run(t, tech.Page(), "resize the browser", chromedp.EmulateViewport(g.w, g.h))
		var s float64
		// The layout settles after the resize: wait for the goal, then report what was seen.
		waitForOr(t, func() bool {
			s = get(t, tech.Page(), "fit scale", chromedp.Evaluate[float64](fmt.Sprintf(fitScaleJS, 1920)))
			return s >= g.min
		}, func() {
			t.Errorf("workspace at %dx%d: the 1920x1080 screen is shown at %.0f %%, want at least %.0f %%", g.w, g.h, s*100, g.min*100)
		})
	}
	tech.Shot(t, "fit-workspace")

	// The same in the queue's tab, the technician's everyday page.
	run(t, tech.Page(), "back to a laptop size", chromedp.EmulateViewport(1440, 900))
	sid := Eval[string](t, tech, "the session", `document.getElementById("workspace").dataset.sid`)
	tech.OpenQueue(t)
	tech.QueueAction(t, sid, "q-open")
	waitFor(t, "the screen in the queue's tab", func() bool {
		return tech.inFrame(t, sid, `[String(w.lifeline?.video?.videoWidth ?? 0), "", ""]`)[0] == "1920"
	})
	for _, g := range goals {
		run(t, tech.Page(), "resize the browser", chromedp.EmulateViewport(g.w, g.h))
		var s float64
		waitForOr(t, func() bool {
			v := tech.inFrame(t, sid, `[String(`+fmt.Sprintf(fitScaleJS, 1920)+`), "", ""]`)
			s, _ = strconv.ParseFloat(v[0], 64)
			return s >= g.min
		}, func() {
			t.Errorf("queue tab at %dx%d: the 1920x1080 screen is shown at %.0f %%, want at least %.0f %%", g.w, g.h, s*100, g.min*100)
		})
	}
}
