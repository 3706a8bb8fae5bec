package privacy

import (
	"fmt"
	"image"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"

	"github.com/lifeline-support/lifeline/agent/screen"
	"github.com/lifeline-support/lifeline/e2e/testwindow/twtest"
	"github.com/lifeline-support/lifeline/e2e/xvfb"
	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// quadrant reports whether c (B, G, R) is one of the test window's four
// flat colours.
func quadrant(b, g, r byte) bool {
	hi := func(v byte) bool { return v > 200 }
	lo := func(v byte) bool { return v < 50 }
	return hi(r) && lo(g) && lo(b) || lo(r) && hi(g) && lo(b) || lo(r) && lo(g) && hi(b) || hi(r) && hi(g) && lo(b)
}

// leaks counts the test window's colours left in frame f.
func leaks(f *screen.Frame) (n int, first image.Point) {
	for y := f.Rect.Min.Y; y < f.Rect.Max.Y; y++ {
		for x := f.Rect.Min.X; x < f.Rect.Max.X; x++ {
			i := y*f.Stride + x*4
			if quadrant(f.Pix[i], f.Pix[i+1], f.Pix[i+2]) {
				if n == 0 {
					first = image.Pt(x, y)
				}
				n++
			}
		}
	}
	return n, first
}

// A private test window on Xvfb: none of its pixels is left in a masked
// capture, also just after it moves and resizes; a plain window above it
// shows; its clicks and keys are refused; closed, it is no longer masked.
func TestX11PrivateWindowMaskedAndFollowed(t *testing.T) {
	display := xvfb.Start(t, 640, 480)
	t.Setenv("DISPLAY", display)
	tw := twtest.Start(t, display, twtest.Options{X: 100, Y: 80, W: 300, H: 200})
	ready := twtest.Filter(tw.Events(t), "ready")
	if len(ready) == 0 {
		t.Fatal("the test window logged no ready event")
	}
	twID := xproto.Window(ready[0].Window)
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	scr := xproto.Setup(conn).DefaultScreen(conn)
	// A plain white window over the test window's right part.
	cover, _ := xproto.NewWindowId(conn)
	if err := xproto.CreateWindowChecked(conn, scr.RootDepth, cover, scr.Root, 300, 60, 200, 120, 0,
		xproto.WindowClassInputOutput, scr.RootVisual, xproto.CwBackPixel, []uint32{scr.WhitePixel}).Check(); err != nil {
		t.Fatal(err)
	}
	xproto.ChangeProperty(conn, xproto.PropModeReplace, cover, xproto.AtomWmName, xproto.AtomString, 8, 5, []byte("cover"))
	xproto.MapWindow(conn, cover)

	d, err := NewX11(display)
	if err != nil {
		t.Fatal(err)
	}
	p := New(Config{Desktop: d, Lang: i18n.EN})
	defer p.Close()
	var id uint64
	deadline := time.Now().Add(10 * time.Second)
	for id == 0 {
		ws, err := p.Windows()
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range ws {
			if w.Title == "lifeline-testwindow" {
				id = w.ID
			}
		}
		if id == 0 && time.Now().After(deadline) {
			t.Fatalf("the test window is not listed: %+v", ws)
		}
	}
	c, err := screen.OpenCapture(0, 1000, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	capture := func() *screen.Frame {
		t.Helper()
		f, err := c.Read()
		if err != nil {
			t.Fatal(err)
		}
		p.Mask(f.Pix, f.Stride, f.Rect)
		return f
	}
	// Wait for the cover to be drawn, then check that the window shows
	// before it is private.
	waitUntil(t, "the test window and the cover drawn", func() bool {
		f := capture()
		i := 100*f.Stride + 350*4
		n, _ := leaks(f)
		return n > 0 && f.Pix[i] > 240 && f.Pix[i+1] > 240 && f.Pix[i+2] > 240
	})
	if err := p.SetPrivate(id, true); err != nil {
		t.Fatal(err)
	}
	f := capture()
	if n, at := leaks(f); n > 0 {
		t.Fatalf("%d pixels of the private window left in the frame, first at %v", n, at)
	}
	if i := 100*f.Stride + 350*4; f.Pix[i] < 240 || f.Pix[i+2] < 240 {
		t.Errorf("the cover above the private window is masked too: %v", f.Pix[i:i+3])
	}
	// Keys: the test window took the keyboard. Clicks: on its visible part
	// only.
	if !p.RefusesInput(protocol.InputEvent{Kind: protocol.InputKey, Down: true, Code: "KeyA"}, nil) {
		t.Error("a key for the private window is let through")
	}
	at := func(x, y int) protocol.InputEvent {
		return protocol.InputEvent{Kind: protocol.InputButton, Down: true, X: float64(x) / 639, Y: float64(y) / 479}
	}
	if !p.RefusesInput(at(150, 150), nil) {
		t.Error("a click on the private window is let through")
	}
	if p.RefusesInput(at(350, 100), nil) {
		t.Error("a click on the cover is refused")
	}

	// Moved and resized: masked at once, in the very next capture.
	for _, g := range [][4]uint32{{20, 250, 300, 200}, {200, 200, 420, 260}} {
		xproto.ConfigureWindow(conn, twID, xproto.ConfigWindowX|xproto.ConfigWindowY|xproto.ConfigWindowWidth|xproto.ConfigWindowHeight, g[:])
		if _, err := xproto.GetInputFocus(conn).Reply(); err != nil { // the move is done
			t.Fatal(err)
		}
		for i := 0; i < 20; i++ {
			if n, at := leaks(capture()); n > 0 {
				t.Fatalf("after a move to %v: %d pixels of the private window left, first at %v", g, n, at)
			}
		}
	}

	// Closed: its place shows again.
	xproto.DestroyWindow(conn, twID)
	xproto.ChangeWindowAttributes(conn, scr.Root, xproto.CwBackPixel, []uint32{scr.BlackPixel})
	xproto.ClearArea(conn, false, scr.Root, 0, 0, 0, 0)
	waitUntil(t, "the closed private window's mask gone", func() bool {
		f := capture()
		i := 300*f.Stride + 300*4
		return f.Pix[i] < 20 && f.Pix[i+1] < 20 && f.Pix[i+2] < 20
	})

	// The cost of a Sync, the round trip each frame makes.
	start := time.Now()
	for i := 0; i < 100; i++ {
		if _, err := d.Sync(); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("Sync: %v per frame", time.Since(start)/100)
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A frame captured just before the private window moves, and masked just
// after, shows the window where it was: it is masked there too.
func TestX11FrameCapturedBeforeAMoveIsMaskedWhereTheWindowWas(t *testing.T) {
	display := xvfb.Start(t, 640, 480)
	t.Setenv("DISPLAY", display)
	tw := twtest.Start(t, display, twtest.Options{X: 50, Y: 50, W: 200, H: 150})
	ready := twtest.Filter(tw.Events(t), "ready")
	if len(ready) == 0 {
		t.Fatal("the test window logged no ready event")
	}
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	d, err := NewX11(display)
	if err != nil {
		t.Fatal(err)
	}
	p := New(Config{Desktop: d, Lang: i18n.EN})
	defer p.Close()
	ws, err := p.Windows()
	if err != nil || len(ws) != 1 {
		t.Fatalf("windows %+v, %v", ws, err)
	}
	if err := p.SetPrivate(ws[0].ID, true); err != nil {
		t.Fatal(err)
	}
	c, err := screen.OpenCapture(0, 1000, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	f, err := c.Read()
	if err != nil {
		t.Fatal(err)
	}
	p.Mask(f.Pix, f.Stride, f.Rect) // the layout before the move is known
	for i, to := range [][4]uint32{{350, 250, 200, 150}, {100, 280, 250, 180}} {
		f, err := c.Read()
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := leaks(f); n == 0 {
			t.Fatalf("move %d: the window is not in the captured frame", i)
		}
		xproto.ConfigureWindow(conn, xproto.Window(ready[0].Window), xproto.ConfigWindowX|xproto.ConfigWindowY|xproto.ConfigWindowWidth|xproto.ConfigWindowHeight, to[:])
		if _, err := xproto.GetInputFocus(conn).Reply(); err != nil {
			t.Fatal(err)
		}
		p.Mask(f.Pix, f.Stride, f.Rect)
		if n, at := leaks(f); n > 0 {
			t.Fatalf("move %d: a frame captured before the move keeps %d pixels of the window, first at %v", i, n, at)
		}
	}
}

// While nothing is private no frame asks for the windows, yet they keep
// moving: their news must not pile up (xgb holds 5000 events, then stops
// reading the connection) and hang the customer's first "Hide".
func TestX11WindowNewsDoNotPileUpWhileNothingIsPrivate(t *testing.T) {
	display := xvfb.Start(t, 640, 480)
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	scr := xproto.Setup(conn).DefaultScreen(conn)
	w, _ := xproto.NewWindowId(conn)
	if err := xproto.CreateWindowChecked(conn, scr.RootDepth, w, scr.Root, 10, 10, 100, 100, 0,
		xproto.WindowClassInputOutput, scr.RootVisual, 0, nil).Check(); err != nil {
		t.Fatal(err)
	}
	xproto.ChangeProperty(conn, xproto.PropModeReplace, w, xproto.AtomWmName, xproto.AtomString, 8, 5, []byte("moved"))
	xproto.MapWindow(conn, w)
	d, err := NewX11(display)
	if err != nil {
		t.Fatal(err)
	}
	p := New(Config{Desktop: d, Lang: i18n.EN})
	defer p.Close()
	for i := range 6000 {
		xproto.ConfigureWindow(conn, w, xproto.ConfigWindowX, []uint32{uint32(10 + i%300)})
	}
	if _, err := xproto.GetInputFocus(conn).Reply(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		ws, err := p.Windows()
		if err == nil && (len(ws) != 1 || ws[0].Title != "moved") {
			err = fmt.Errorf("windows %+v", ws)
		}
		if err == nil {
			err = p.SetPrivate(ws[0].ID, true)
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("listing the windows hangs after 6000 moves while nothing was private")
	}
}
