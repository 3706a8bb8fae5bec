package e2e

import (
	"context"
	"crypto/rand"
	"fmt"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// SetKeyboardLayout switches the customer's X keyboard layout (e.g. "fr"),
// as their desktop settings would.
func (s *Stack) SetKeyboardLayout(t testing.TB, layout string) {
	t.Helper()
	if _, err := exec.LookPath("setxkbmap"); err != nil {
		t.Skip("setxkbmap is not installed (apt-get install x11-xkb-utils)")
	}
	if out, err := exec.Command("setxkbmap", "-display", s.Display, layout).CombinedOutput(); err != nil {
		t.Fatalf("setxkbmap %s: %v: %s", layout, err, out)
	}
}

// KeyboardMode picks the workspace's keyboard mode: "remote" or "local".
func (tc *Technician) KeyboardMode(t testing.TB, mode string) {
	t.Helper()
	js := fmt.Sprintf(`(() => {
		const s = document.getElementById("keyboard-mode");
		s.value = %q;
		s.dispatchEvent(new Event("change"));
		return lifeline.input.mode;
	})()`, mode)
	if got := evalJS[string](t, tc.p, "pick the keyboard mode", js); got != mode {
		t.Fatalf("keyboard mode is %q, want %q", got, mode)
	}
}

// CtrlAltDel clicks the Ctrl+Alt+Del button.
func (tc *Technician) CtrlAltDel(t testing.TB) {
	t.Helper()
	tc.ClickTool(t, "keys-cad")
}

// Animate draws changing noise in a w×h window at x, y of the display's
// first screen until stop is called or the test ends: a moving picture for
// the encoder.
func Animate(t testing.TB, display string, x, y, w, h int) (stop func()) {
	t.Helper()
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		t.Fatal(err)
	}
	scr := xproto.Setup(conn).DefaultScreen(conn)
	wid, err := xproto.NewWindowId(conn)
	if err != nil {
		t.Fatal(err)
	}
	if err := xproto.CreateWindowChecked(conn, scr.RootDepth, wid, scr.Root, int16(x), int16(y), uint16(w), uint16(h), 0,
		xproto.WindowClassInputOutput, scr.RootVisual, xproto.CwOverrideRedirect, []uint32{1}).Check(); err != nil {
		t.Fatal(err)
	}
	gc, _ := xproto.NewGcontextId(conn)
	xproto.CreateGC(conn, gc, xproto.Drawable(wid), 0, nil)
	xproto.MapWindow(conn, wid)
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		pix := make([]byte, w*h*4)
		tick := time.NewTicker(30 * time.Millisecond) // redraw rate, about the capture's
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			_, _ = rand.Read(pix)
			// A checked request keeps the drawing paced by the X server.
			if err := xproto.PutImageChecked(conn, xproto.ImageFormatZPixmap, xproto.Drawable(wid), gc,
				uint16(w), uint16(h), 0, 0, 0, scr.RootDepth, pix).Check(); err != nil {
				return
			}
		}
	}()
	stop = sync.OnceFunc(func() {
		close(done)
		<-stopped
		conn.Close()
	})
	t.Cleanup(stop)
	return stop
}

// videoBytesJS is how many video bytes the peer connection %s has received.
const videoBytesJS = `(%s).getStats().then((st) => {
		let n = 0;
		st.forEach((r) => { if (r.type === "inbound-rtp" && r.kind === "video") n += r.bytesReceived; });
		return n;
	})`

// ReceivedBytes is how many video bytes the console's connection has received.
func (tc *Technician) ReceivedBytes(t testing.TB) float64 {
	t.Helper()
	return evalJS[float64](t, tc.p, "read the received video bytes", fmt.Sprintf(videoBytesJS, "lifeline.pc"))
}

// BitRate measures the received video bit rate over d, in bits per second.
func (tc *Technician) BitRate(t testing.TB, d time.Duration) float64 {
	t.Helper()
	start, at := tc.ReceivedBytes(t), time.Now()
	time.Sleep(d) // a measurement window, not a wait for a condition
	return (tc.ReceivedBytes(t) - start) * 8 / time.Since(at).Seconds()
}

// pick chooses value in the toolbar select id, as the technician would.
func (tc *Technician) pick(t testing.TB, id, value string) {
	t.Helper()
	js := fmt.Sprintf(`(() => {
		const s = document.getElementById(%q);
		if (s.disabled) return false;
		s.value = %q;
		s.dispatchEvent(new Event("change"));
		return true;
	})()`, id, value)
	waitFor(t, "the "+id+" control", func() bool { return evalJS[bool](t, tc.p, "pick "+id, js) })
}

// Quality picks a quality preset: auto, high, medium or low.
func (tc *Technician) Quality(t testing.TB, q string) { tc.pick(t, "quality", q) }

// Monitors waits until the console lists n monitors and returns them as
// [x, y, w, h, screen].
func (tc *Technician) Monitors(t testing.TB, n int) [][5]int {
	t.Helper()
	var mons [][5]int
	waitFor(t, fmt.Sprintf("%d monitors in the console", n), func() bool {
		mons = evalJS[[][5]int](t, tc.p, "read the monitors",
			`(lifeline.view?.monitors ?? []).map((m) => [m.x, m.y, m.w, m.h, m.s])`)
		return len(mons) == n
	})
	return mons
}

// Monitor switches to the customer's monitor i (from 0).
func (tc *Technician) Monitor(t testing.TB, i int) { tc.pick(t, "monitor", fmt.Sprint(i)) }

// WaitVideoSize waits until the decoded video is w×h.
func (tc *Technician) WaitVideoSize(t testing.TB, w, h int) {
	t.Helper()
	waitFor(t, fmt.Sprintf("a %dx%d video", w, h), func() bool {
		size := evalJS[[]int](t, tc.p, "video size", `[lifeline.video.videoWidth, lifeline.video.videoHeight]`)
		return size[0] == w && size[1] == h
	})
}

// PixelIn is Pixel for a streamed screen of w×h pixels.
func (tc *Technician) PixelIn(t testing.TB, x, y, w, h int) [3]int {
	t.Helper()
	js := fmt.Sprintf(`(() => {
		const v = lifeline.video, c = document.createElement("canvas");
		c.width = v.videoWidth; c.height = v.videoHeight;
		const g = c.getContext("2d");
		g.drawImage(v, 0, 0);
		const d = g.getImageData(Math.round(%d / %d * v.videoWidth), Math.round(%d / %d * v.videoHeight), 1, 1).data;
		return [d[0], d[1], d[2]];
	})()`, x, w, y, h)
	rgb := evalJS[[]int](t, tc.p, "read a pixel", js)
	return [3]int{rgb[0], rgb[1], rgb[2]}
}

// ClickIn clicks pixel x, y of a streamed screen of w×h pixels.
func (tc *Technician) ClickIn(t testing.TB, x, y, w, h int) {
	t.Helper()
	px, py := tc.pagePointIn(t, x, y, w, h)
	do(t, "click the remote screen", func(ctx context.Context) error { return tc.p.Click(ctx, px, py) })
}

// MarkConnection tags the console's RTCPeerConnection; SameConnection
// reports whether it is still the one tagged (no reconnection since).
func (tc *Technician) MarkConnection(t testing.TB) {
	t.Helper()
	evalJS[bool](t, tc.p, "tag the connection", `(lifeline.pc.e2eTag = true)`)
}

// SameConnection: see MarkConnection.
func (tc *Technician) SameConnection(t testing.TB) bool {
	t.Helper()
	return evalJS[bool](t, tc.p, "check the connection", `lifeline.pc?.e2eTag === true && lifeline.pc.connectionState === "connected"`)
}

// ClickTool clicks the toolbar button id.
func (tc *Technician) ClickTool(t testing.TB, id string) {
	t.Helper()
	waitEnabled(t, tc.p, "#"+id)
	clickOn(t, tc.p, "#"+id)
}

// Eval evaluates a JavaScript expression in the console and returns its value.
func Eval[T any](t testing.TB, tc *Technician, what, js string) T {
	t.Helper()
	return evalJS[T](t, tc.p, what, js)
}

// WaitJS waits until a JavaScript expression is true in the console.
func (tc *Technician) WaitJS(t testing.TB, what, js string) {
	t.Helper()
	waitFor(t, what, func() bool { return Eval[bool](t, tc, what, js) })
}
