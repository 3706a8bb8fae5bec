package e2e

import (
	"strings"
	"testing"

	"github.com/lifeline-support/lifeline/e2e/testwindow/twtest"
	"github.com/lifeline-support/lifeline/e2e/wine"
)

// A Windows customer gets the Windows agent from the invitation link
// (lifeline-support.exe, stamped with the server and code) and, run under
// Wine on the customer's display, it joins the session: the technician sees
// the screen as Windows' GDI reads it (the pixels of a native X window in the
// decoded video), and End makes the agent exit. Before, the agent did not
// build for Windows (agent/screen's XShm: "sys/ipc.h: No such file or
// directory") and a Windows browser was told the program was coming.
func TestWindowsAgentUnderWine(t *testing.T) {
	prefix := wine.NewPrefix(t) // skips without wine64 and mingw
	stack := Start(t)
	WindowsAgent(t)
	twtest.Start(t, stack.Display, twtest.Options{X: 200, Y: 120, W: 600, H: 400})

	tech := stack.Technician(t)
	inv := tech.NewSession(t, "Marie Dupont")
	customer := stack.WindowsCustomer(t, inv, prefix)
	customer.OpenPage(t)
	customer.Allow(t)

	w, h := tech.WaitVideo(t)
	first := tech.FirstFrameAt(t)
	t.Logf("Windows agent under Wine: start → first decoded frame %d ms; video %dx%d",
		first-customer.Started.UnixMilli(), w, h)
	if w != ScreenW || h != ScreenH {
		t.Errorf("video is %dx%d, want the customer's %dx%d", w, h, ScreenW, ScreenH)
	}
	for _, q := range []struct {
		name string
		x, y int
		rgb  [3]int
	}{
		{"red", 200 + 150, 120 + 100, [3]int{255, 0, 0}},
		{"green", 200 + 450, 120 + 100, [3]int{0, 255, 0}},
		{"blue", 200 + 150, 120 + 300, [3]int{0, 0, 255}},
		{"yellow", 200 + 450, 120 + 300, [3]int{255, 255, 0}},
	} {
		var got [3]int
		waitFor(t, "the "+q.name+" quadrant in the video", func() bool {
			got = tech.Pixel(t, q.x, q.y)
			return near(got, q.rgb, 40)
		})
	}

	tech.End(t)
	code, _, stderr := customer.WaitExit(t)
	if code != 0 {
		t.Errorf("the agent exited with %d after End, want 0:\n%s", code, stderr)
	}
	if strings.Contains(stderr, "panic") {
		t.Errorf("the agent panicked:\n%s", stderr)
	}
}
