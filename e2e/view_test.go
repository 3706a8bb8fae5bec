package e2e

import (
	"fmt"
	"image"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/e2e/testwindow/twtest"
)

// pressed lists the key presses and releases among evs by keysym name.
func pressed(evs []twtest.Event) []string {
	var seq []string
	for _, e := range evs {
		switch e.Event {
		case "key_press":
			seq = append(seq, "+"+e.KeysymName)
		case "key_release":
			seq = append(seq, "-"+e.KeysymName)
		}
	}
	return seq
}

// On a customer's AZERTY desktop, the technician's physical keys type what the
// customer's layout puts there (remote mode), the characters the technician
// types arrive as typed (local mode), and Ctrl+Alt+Del arrives as that
// combination.
func TestSpecialKeysAndKeyboardModes(t *testing.T) {
	stack := Start(t)
	stack.SetKeyboardLayout(t, "fr")
	win := twtest.Start(t, stack.Display, twtest.Options{X: 200, Y: 120, W: 600, H: 400})
	tech, _ := stack.InControl(t, "Marie Dupont")
	cx, cy := win.Center()
	mark := win.Mark(t)
	tech.Click(t, cx, cy) // focuses the remote screen
	win.WaitFor(t, mark, "the click", func(evs []twtest.Event) bool { return twtest.Released(evs) && len(evs) > 0 })

	// Remote mode (the default): Q and W of a QWERTY keyboard are A and Z on AZERTY.
	mark = win.Mark(t)
	tech.Type(t, "qw")
	win.WaitFor(t, mark, "a and z from the physical keys", func(evs []twtest.Event) bool {
		return twtest.Typed(evs) == "az" && twtest.Released(evs)
	})

	// Local mode: characters arrive as typed, AltGr characters included.
	tech.KeyboardMode(t, "local")
	mark = win.Mark(t)
	const text = "é€@qw"
	tech.Type(t, text)
	win.WaitFor(t, mark, fmt.Sprintf("%q typed in local mode", text), func(evs []twtest.Event) bool {
		return twtest.Typed(evs) == text && twtest.Released(evs)
	})

	// Ctrl+Alt+Del reaches the desktop as that combination.
	mark = win.Mark(t)
	tech.CtrlAltDel(t)
	evs := win.WaitFor(t, mark, "Ctrl+Alt+Del", func(evs []twtest.Event) bool {
		return len(twtest.Filter(evs, "key_release")) == 3
	})
	want := "[+Control_L +Alt_L +Delete -Delete -Alt_L -Control_L]"
	if got := fmt.Sprint(pressed(evs)); got != want {
		t.Errorf("Ctrl+Alt+Del arrived as %s, want %s", got, want)
	}
	del := twtest.Filter(evs, "key_press")[2]
	const ctrl, alt = 1 << 2, 1 << 3 // ControlMask, Mod1Mask
	if del.State&ctrl == 0 || del.State&alt == 0 {
		t.Errorf("Delete pressed with state %#x, want Control and Alt held", del.State)
	}

	checkViewModes(t, tech, win)
}

// checkViewModes: actual size with scroll bars, the magnifier, full screen
// and a detached window, with clicks landing right.
func checkViewModes(t *testing.T, tech *Technician, win *twtest.Window) {
	t.Helper()
	cx, cy := win.Center()
	clickAt := func(what string) {
		t.Helper()
		mark := win.Mark(t)
		tech.Click(t, cx, cy)
		evs := win.WaitFor(t, mark, what, func(evs []twtest.Event) bool {
			return len(twtest.Filter(evs, "button_release")) > 0
		})
		p := twtest.Filter(evs, "button_press")[0]
		if abs(p.RootX-cx) > 3 || abs(p.RootY-cy) > 3 {
			t.Errorf("%s arrived at (%d,%d), want (%d,%d)", what, p.RootX, p.RootY, cx, cy)
		}
	}

	// Actual size: one video pixel per screen pixel, scrolled.
	tech.ClickTool(t, "view-actual")
	tech.WaitJS(t, "the video at actual size", fmt.Sprintf(`Math.round(lifeline.video.getBoundingClientRect().width) === %d`, ScreenW))
	Eval[bool](t, tech, "scroll the view", `(() => { const v = lifeline.video.parentElement; v.scrollLeft = 300; v.scrollTop = 200; return v.scrollLeft > 0; })()`)
	clickAt("a click in the scrolled actual-size view")

	// Back to fit, with the magnifier: it shows the screen under it at full
	// resolution, and clicks still land right.
	tech.ClickTool(t, "view-fit")
	tech.WaitJS(t, "the video fitted", fmt.Sprintf(`Math.round(lifeline.video.getBoundingClientRect().width) < %d`, ScreenW))
	tech.ClickTool(t, "view-magnifier")
	tech.WaitJS(t, "the magnifier drawing", `!!lifeline.lens?.center`)
	same := Eval[bool](t, tech, "compare the magnifier with the video", `(() => {
		const l = lifeline.lens, v = lifeline.video;
		const c = document.createElement("canvas");
		c.width = v.videoWidth; c.height = v.videoHeight;
		const g = c.getContext("2d");
		g.drawImage(v, 0, 0);
		const want = g.getImageData(l.center[0], l.center[1], 1, 1).data;
		const got = l.canvas.getContext("2d").getImageData(l.canvas.width / 2, l.canvas.height / 2, 1, 1).data;
		return [0, 1, 2].every((i) => Math.abs(want[i] - got[i]) < 40);
	})()`)
	if !same {
		t.Error("the magnifier does not show the screen under it")
	}
	clickAt("a click beside the magnifier")
	tech.ClickTool(t, "view-magnifier")

	// Full screen keeps the toolbar.
	tech.ClickTool(t, "view-full")
	tech.WaitJS(t, "full screen", `document.fullscreenElement?.id === "stage" && document.getElementById("toolbar").getBoundingClientRect().height > 0`)
	clickAt("a click in full screen")
	tech.ClickTool(t, "view-full")
	tech.WaitJS(t, "full screen left", `!document.fullscreenElement`)

	// A detached window shows the live screen and has control too.
	tech.ClickTool(t, "view-detach")
	tech.WaitJS(t, "the detached window's video", fmt.Sprintf(
		`(() => { const v = lifeline.detached?.document.querySelector("video"); return v?.videoWidth === %d && v.readyState >= 2; })()`, ScreenW))
}

// A quality preset changes the stream live, on the same connection; the
// technician sees the list of the customer's X screens, switches to the
// second, sees it and clicks on it.
func TestQualityPresetsAndMonitors(t *testing.T) {
	const w2, h2 = 800, 600
	stack := StartWith(t, Options{ExtraScreens: []image.Point{image.Pt(w2, h2)}})
	Animate(t, stack.Display, 900, 400, 240, 240)
	win := twtest.Start(t, stack.Display+".1", twtest.Options{X: 100, Y: 100, W: 400, H: 300})
	tech := stack.Technician(t)
	inv := tech.NewSession(t, "Marie Dupont")
	customer := stack.Customer(t, inv)
	customer.OpenPage(t)
	customer.Allow(t)
	tech.WaitVideoSize(t, ScreenW, ScreenH)
	tech.RequestControl(t)
	customer.WaitAsked(t)
	customer.Allow(t)
	tech.WaitStatus(t, "in control")

	mons := tech.Monitors(t, 2)
	if want := [5]int{0, 0, w2, h2, 1}; mons[1] != want {
		t.Errorf("second monitor is %v, want %v", mons[1], want)
	}

	// Quality: low halves the picture and the bit rate falls; high raises it.
	tech.MarkConnection(t)
	auto := tech.BitRate(t, 3*time.Second)
	tech.Quality(t, "low")
	tech.WaitVideoSize(t, ScreenW/2, ScreenH/2)
	low := tech.BitRate(t, 3*time.Second)
	tech.Quality(t, "high")
	tech.WaitVideoSize(t, ScreenW, ScreenH)
	high := tech.BitRate(t, 3*time.Second)
	t.Logf("received video: auto %.0f kbit/s, low %.0f kbit/s, high %.0f kbit/s", auto/1e3, low/1e3, high/1e3)
	if low >= auto || high <= low {
		t.Errorf("bit rate auto %.0f → low %.0f → high %.0f bit/s, want it to fall then rise", auto, low, high)
	}
	if !tech.SameConnection(t) {
		t.Error("changing the quality replaced the connection")
	}

	// The second X screen: its test window shows, and a click lands on it.
	tech.Monitor(t, 1)
	tech.WaitVideoSize(t, w2, h2)
	var got [3]int
	waitFor(t, "the second screen's red quadrant", func() bool {
		got = tech.PixelIn(t, 100+100, 100+75, w2, h2)
		return near(got, [3]int{255, 0, 0}, 40)
	})
	mark := win.Mark(t)
	cx, cy := win.Center()
	tech.ClickIn(t, cx, cy, w2, h2)
	evs := win.WaitFor(t, mark, "the click on the second screen", func(evs []twtest.Event) bool {
		return len(twtest.Filter(evs, "button_press")) > 0
	})
	press := twtest.Filter(evs, "button_press")[0]
	if abs(press.RootX-cx) > 3 || abs(press.RootY-cy) > 3 {
		t.Errorf("click arrived at (%d,%d) of the second screen, want (%d,%d)", press.RootX, press.RootY, cx, cy)
	}
	if !tech.SameConnection(t) {
		t.Error("switching monitors replaced the connection")
	}
}
