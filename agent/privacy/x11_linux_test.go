package privacy

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
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

// A private program's menus and popups (override-redirect windows, never
// listed) are masked with its window: they are the same X client's. Another
// program's popup shows.
func TestX11PopupOfAPrivateWindowIsMasked(t *testing.T) {
	display := xvfb.Start(t, 640, 480)
	t.Setenv("DISPLAY", display)
	window := func(conn *xgb.Conn, x, y, w, h int16, pixel uint32, popup bool, title string) xproto.Window {
		t.Helper()
		scr := xproto.Setup(conn).DefaultScreen(conn)
		id, _ := xproto.NewWindowId(conn)
		mask, values := uint32(xproto.CwBackPixel), []uint32{pixel}
		if popup {
			mask, values = mask|xproto.CwOverrideRedirect, append(values, 1)
		}
		if err := xproto.CreateWindowChecked(conn, scr.RootDepth, id, scr.Root, x, y, uint16(w), uint16(h), 0,
			xproto.WindowClassInputOutput, scr.RootVisual, mask, values).Check(); err != nil {
			t.Fatal(err)
		}
		if title != "" {
			xproto.ChangeProperty(conn, xproto.PropModeReplace, id, xproto.AtomWmName, xproto.AtomString, 8, uint32(len(title)), []byte(title))
		}
		xproto.MapWindow(conn, id)
		return id
	}
	app, err := xgb.NewConnDisplay(display) // the private program
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	other, err := xgb.NewConnDisplay(display) // another program
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	window(app, 50, 50, 200, 150, 0xffffff, false, "vault")
	window(app, 220, 100, 120, 160, 0xff0000, true, "") // its menu, beyond its window
	window(other, 400, 100, 100, 100, 0x00ff00, true, "")
	if _, err := xproto.GetInputFocus(other).Reply(); err != nil {
		t.Fatal(err)
	}

	d, err := NewX11(display)
	if err != nil {
		t.Fatal(err)
	}
	p := New(Config{Desktop: d, Lang: i18n.EN})
	defer p.Close()
	ws, err := p.Windows()
	if err != nil || len(ws) != 1 || ws[0].Title != "vault" {
		t.Fatalf("windows %+v, %v: want the program's window alone", ws, err)
	}
	c, err := screen.OpenCapture(0, 1000, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	at := func(f *screen.Frame, x, y int) []byte { i := y*f.Stride + x*4; return f.Pix[i : i+3] } // B, G, R
	waitUntil(t, "the popups drawn", func() bool {
		f, err := c.Read()
		if err != nil {
			t.Fatal(err)
		}
		return at(f, 300, 200)[2] > 240 && at(f, 450, 150)[1] > 240
	})
	if err := p.SetPrivate(ws[0].ID, true); err != nil {
		t.Fatal(err)
	}
	f, err := c.Read()
	if err != nil {
		t.Fatal(err)
	}
	p.Mask(f.Pix, f.Stride, f.Rect)
	if px := at(f, 300, 200); px[2] > 240 && px[1] < 50 {
		t.Errorf("the private program's menu shows: %v at 300,200", px)
	}
	if px := at(f, 450, 150); px[1] < 240 || px[2] > 50 {
		t.Errorf("another program's popup is masked: %v at 450,150", px)
	}
	if !p.RefusesInput(protocol.InputEvent{Kind: protocol.InputButton, Down: true, X: 300.0 / 639, Y: 200.0 / 479}, nil) {
		t.Error("a click on the private program's menu is let through")
	}
}

// A private window on another X screen (another monitor) is listed, masked
// in that screen's frames (not in screen 0's at the same place), and a
// click on it there is refused.
func TestX11PrivateWindowOnAnotherScreenIsMasked(t *testing.T) {
	display := xvfb.StartScreens(t, image.Pt(320, 240), image.Pt(400, 300))
	t.Setenv("DISPLAY", display)
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	scr := xproto.Setup(conn).Roots[1]
	win, _ := xproto.NewWindowId(conn)
	if err := xproto.CreateWindowChecked(conn, scr.RootDepth, win, scr.Root, 100, 80, 200, 150, 0,
		xproto.WindowClassInputOutput, scr.RootVisual, xproto.CwBackPixel, []uint32{0xff0000}).Check(); err != nil {
		t.Fatal(err)
	}
	xproto.ChangeProperty(conn, xproto.PropModeReplace, win, xproto.AtomWmName, xproto.AtomString, 8, 6, []byte("vault2"))
	xproto.MapWindow(conn, win)
	if _, err := xproto.GetInputFocus(conn).Reply(); err != nil {
		t.Fatal(err)
	}

	d, err := NewX11(display)
	if err != nil {
		t.Fatal(err)
	}
	p := New(Config{Desktop: d, Lang: i18n.EN})
	defer p.Close()
	ws, err := p.Windows()
	if err != nil || len(ws) != 1 || ws[0].Title != "vault2" {
		t.Fatalf("windows %+v, %v: want the window of screen 1", ws, err)
	}
	mon := protocol.Monitor{Screen: 1, W: 400, H: 300}
	var g screen.Grabber
	defer g.Close()
	var img *image.RGBA
	waitUntil(t, "the window drawn on screen 1", func() bool {
		if img, err = g.Grab(mon, img); err != nil {
			t.Fatal(err)
		}
		return img.RGBAAt(150, 100).R > 240
	})
	if err := p.SetPrivate(ws[0].ID, true); err != nil {
		t.Fatal(err)
	}
	p.MaskScreen(1, img.Pix, img.Stride, img.Rect)
	for _, at := range []image.Point{{101, 81}, {150, 100}, {298, 228}} {
		if c := img.RGBAAt(at.X, at.Y); c.R != c.G {
			t.Errorf("screen 1 at %v shows the private window: %v", at, c)
		}
	}
	if c := img.RGBAAt(50, 50); c.R != 0 || c.G != 0 || c.B != 0 {
		t.Errorf("screen 1 masked outside the window at 50,50: %v", c)
	}
	white := image.NewRGBA(image.Rect(0, 0, 320, 240))
	for i := range white.Pix {
		white.Pix[i] = 0xff
	}
	p.MaskScreen(0, white.Pix, white.Stride, white.Rect)
	if c := white.RGBAAt(150, 100); c.R != 0xff {
		t.Errorf("screen 0 masked where screen 1's window is: %v", c)
	}
	click := func(n, x, y int) bool {
		m := protocol.Monitor{Screen: n, W: 400, H: 300}
		return p.RefusesInput(protocol.InputEvent{Kind: protocol.InputButton, Down: true, X: float64(x) / 399, Y: float64(y) / 299}, &m)
	}
	if !click(1, 150, 100) {
		t.Error("a click on the private window of screen 1 is let through")
	}
	if click(0, 150, 100) {
		t.Error("a click on screen 0 where screen 1's private window is is refused")
	}
}

// The customer's list shows each program's icon where it has one
// (_NET_WM_ICON): the size nearest the list's, scaled down to IconSize, as
// a PNG the page fetches; a window without one has none.
func TestX11WindowIconsInTheList(t *testing.T) {
	display := xvfb.Start(t, 640, 480)
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	scr := xproto.Setup(conn).DefaultScreen(conn)
	icon, err := xproto.InternAtom(conn, false, 12, "_NET_WM_ICON").Reply()
	if err != nil {
		t.Fatal(err)
	}
	// Two sizes: 16×16 red, 48×48 blue (ARGB, opaque).
	var vals []byte
	for _, size := range []struct {
		n    int
		argb uint32
	}{{16, 0xffff0000}, {48, 0xff0000ff}} {
		vals = binary.LittleEndian.AppendUint32(vals, uint32(size.n))
		vals = binary.LittleEndian.AppendUint32(vals, uint32(size.n))
		for range size.n * size.n {
			vals = binary.LittleEndian.AppendUint32(vals, size.argb)
		}
	}
	for i, title := range []string{"with icon", "without"} {
		w, _ := xproto.NewWindowId(conn)
		if err := xproto.CreateWindowChecked(conn, scr.RootDepth, w, scr.Root, int16(20+200*i), 20, 150, 100, 0,
			xproto.WindowClassInputOutput, scr.RootVisual, 0, nil).Check(); err != nil {
			t.Fatal(err)
		}
		xproto.ChangeProperty(conn, xproto.PropModeReplace, w, xproto.AtomWmName, xproto.AtomString, 8, uint32(len(title)), []byte(title))
		if i == 0 {
			xproto.ChangeProperty(conn, xproto.PropModeReplace, w, icon.Atom, xproto.AtomCardinal, 32, uint32(len(vals)/4), vals)
		}
		xproto.MapWindow(conn, w)
	}
	if _, err := xproto.GetInputFocus(conn).Reply(); err != nil {
		t.Fatal(err)
	}
	d, err := NewX11(display)
	if err != nil {
		t.Fatal(err)
	}
	p := New(Config{Desktop: d, Lang: i18n.EN})
	defer p.Close()
	ws, err := p.Windows()
	if err != nil || len(ws) != 2 {
		t.Fatalf("windows %+v, %v", ws, err)
	}
	ids := map[string]Window{}
	for _, w := range ws {
		ids[w.Title] = w
	}
	if !ids["with icon"].Icon || ids["without"].Icon {
		t.Fatalf("icons in the list: %+v", ws)
	}
	get := func(id uint64) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		p.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, fmt.Sprintf("/icon?id=%d", id), nil))
		return rec
	}
	rec := get(ids["with icon"].ID)
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "image/png" {
		t.Fatalf("GET icon: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	img, err := png.Decode(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	r, g, b, _ := img.At(IconSize/2, IconSize/2).RGBA()
	if img.Bounds().Size() != image.Pt(IconSize, IconSize) || r>>8 > 10 || g>>8 > 10 || b>>8 < 245 {
		t.Errorf("the icon is %v with %d,%d,%d in its middle, want the 48-pixel blue one scaled to %d", img.Bounds(), r>>8, g>>8, b>>8, IconSize)
	}
	if rec := get(ids["without"].ID); rec.Code != http.StatusNotFound {
		t.Errorf("GET icon of a window without one: %d", rec.Code)
	}
	if rec := get(12345); rec.Code != http.StatusNotFound {
		t.Errorf("GET icon of no window: %d", rec.Code)
	}
}

// A still screen stays still with a private window on it: every masked
// capture is the same, byte for byte, so the encoder (which skips frames
// equal to the last) sends nothing more than without one.
func TestX11MaskedStillScreenStaysTheSame(t *testing.T) {
	display := xvfb.Start(t, 640, 480)
	t.Setenv("DISPLAY", display)
	tw := twtest.Start(t, display, twtest.Options{X: 100, Y: 80, W: 300, H: 200})
	if len(twtest.Filter(tw.Events(t), "ready")) == 0 {
		t.Fatal("the test window logged no ready event")
	}
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
	var first []byte
	for i := range 30 {
		f, err := c.Read()
		if err != nil {
			t.Fatal(err)
		}
		p.Mask(f.Pix, f.Stride, f.Rect)
		if n, at := leaks(f); n > 0 {
			t.Fatalf("frame %d: %d pixels of the private window, first at %v", i, n, at)
		}
		if first == nil {
			first = bytes.Clone(f.Pix)
		} else if !bytes.Equal(first, f.Pix) {
			t.Fatalf("masked frame %d of a still screen differs from the first", i)
		}
	}
}
