package indicator

import (
	"image"
	"image/color"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
	"github.com/jezek/xgb/xtest"

	"github.com/lifeline-support/lifeline/agent/consent"
	"github.com/lifeline-support/lifeline/agent/overlay"
	"github.com/lifeline-support/lifeline/agent/screenshot"
	"github.com/lifeline-support/lifeline/e2e/xvfb"
	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

func near(c color.RGBA, rgb [3]uint8) bool {
	d := func(a, b uint8) int {
		if a > b {
			return int(a - b)
		}
		return int(b - a)
	}
	return d(c.R, rgb[0]) < 16 && d(c.G, rgb[1]) < 16 && d(c.B, rgb[2]) < 16
}

// On a real X server: nothing while nothing is granted, an orange frame and
// badge while viewed, red while controlled. The badge sits in the bottom
// right corner, away from title bars, shows readable text, and a click on it
// stops control, then viewing; its End button asks for a second click; a
// drag moves it and clicks nothing (defect 5 of issue 18: one click on the
// badge at the top ended the session).
func TestIndicatorOnXvfb(t *testing.T) {
	display := xvfb.Start(t, 640, 400)
	var in atomic.Pointer[Indicator]
	x, err := NewX11(display, func(z Zone) { in.Load().Click(z) })
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	in.Store(New(x, i18n.EN, nil))
	acts := make(chan consent.Action, 8)
	in.Load().OnAction(func(a consent.Action) { acts <- a })
	in.Load().SetNames("Acme IT", "Alice", "support.acme.com")
	pixel := func(px, py int) color.RGBA {
		t.Helper()
		img, err := screenshot.GrabX11(display)
		if err != nil {
			t.Fatal(err)
		}
		return img.RGBAAt(px, py)
	}
	next := func(what string, want consent.Action) {
		t.Helper()
		select {
		case a := <-acts:
			if a != want {
				t.Fatalf("%s did %q, want %q", what, a, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s did nothing", what)
		}
	}

	in.Load().SetGrants(protocol.Permissions{})
	if c := pixel(1, 200); near(c, viewedRGB) || near(c, controlledRGB) {
		t.Fatalf("frame shown with nothing granted: %v", c)
	}
	in.Load().SetGrants(protocol.Permissions{View: true})
	for _, p := range [][2]int{{1, 200}, {638, 200}, {320, 398}, {320, 1}} {
		if c := pixel(p[0], p[1]); !near(c, viewedRGB) {
			t.Errorf("viewed: pixel %v is %v, want orange", p, c)
		}
	}
	bx, by, bw, bh := x.BadgeRect()
	if bw < 200 || bh != BadgeHeight || bx+bw != 640-Margin || by+bh != 400-BottomMargin {
		t.Errorf("badge at %d,%d %dx%d, want it in the bottom right corner", bx, by, bw, bh)
	}
	img, _ := screenshot.GrabX11(display)
	white := 0
	for px := bx; px < bx+bw; px++ {
		for py := by; py < by+bh; py++ {
			if near(img.RGBAAt(px, py), [3]uint8{255, 255, 255}) {
				white++
			}
		}
	}
	if white < 100 {
		t.Errorf("the badge shows no text (%d white pixels)", white)
	}
	in.Load().SetGrants(protocol.Permissions{View: true, Control: true})
	if c := pixel(1, 200); !near(c, controlledRGB) {
		t.Errorf("controlled: frame is %v, want red", c)
	}

	// A drag moves the badge and clicks nothing.
	bx, by, bw, bh = x.BadgeRect()
	dx := -bx / 2
	drag(t, x, bx+20, by+bh/2, bx+20+dx, by+bh/2-150)
	if nx, ny, _, _ := x.BadgeRect(); nx != bx+dx || ny != by-150 {
		t.Errorf("dragged by %d,-150 from %d,%d: the badge is at %d,%d", dx, bx, by, nx, ny)
	}
	bx, by, bw, bh = x.BadgeRect()

	// The frame lets clicks through; the badge takes them.
	click(t, x, bx+20, by+bh/2)
	next("a click while controlled", consent.ActionRevokeControl)
	in.Load().SetGrants(protocol.Permissions{View: true})
	bx, by, bw, bh = x.BadgeRect()
	click(t, x, bx+20, by+bh/2)
	next("a click while viewed", consent.ActionRevokeView)

	// End asks first.
	bx, by, bw, bh = x.BadgeRect()
	endAt := bx + x.EndX() + 6
	click(t, x, endAt, by+bh/2)
	deadline := time.Now().Add(10 * time.Second)
	for !near(pixel(endAt, by+2), confirmRGB) {
		if time.Now().After(deadline) {
			t.Fatalf("after one click on End the button is %v, want it to ask again", pixel(endAt, by+2))
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case a := <-acts:
		t.Fatalf("one click on End did %q", a)
	default:
	}
	bx, by, bw, bh = x.BadgeRect()
	click(t, x, bx+x.EndX()+6, by+bh/2)
	next("a second click on End", consent.ActionEnd)

	in.Load().SetGrants(protocol.Permissions{})
	if c := pixel(1, 200); near(c, viewedRGB) || near(c, controlledRGB) {
		t.Errorf("frame still shown after everything was revoked: %v", c)
	}
}

// drag presses the left button at (fx, fy), moves to (tx, ty) in steps and
// releases it there, with XTEST.
func drag(t *testing.T, x *X11, fx, fy, tx, ty int) {
	t.Helper()
	if err := xtest.Init(x.conn); err != nil {
		t.Skipf("no XTEST: %v", err)
	}
	px0, py0, _, _ := x.BadgeRect()
	xtest.FakeInput(x.conn, xproto.MotionNotify, 0, 0, x.root, int16(fx), int16(fy), 0)
	xtest.FakeInput(x.conn, xproto.ButtonPress, 1, 0, x.root, 0, 0, 0)
	for i := 1; i <= 10; i++ {
		xtest.FakeInput(x.conn, xproto.MotionNotify, 0, 0, x.root, int16(fx+(tx-fx)*i/10), int16(fy+(ty-fy)*i/10), 0)
	}
	if err := xtest.FakeInputChecked(x.conn, xproto.ButtonRelease, 1, 0, x.root, 0, 0, 0).Check(); err != nil {
		t.Fatal(err)
	}
	// Wait for the badge to reach the pointer.
	deadline := time.Now().Add(10 * time.Second)
	for {
		px, py, _, _ := x.BadgeRect()
		if px+fx-px0 == tx && py+fy-py0 == ty {
			return
		}
		if time.Now().After(deadline) {
			return // the caller reports where the badge is
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// click presses and releases the left button at (px, py) with XTEST.
func click(t *testing.T, x *X11, px, py int) {
	t.Helper()
	if err := xtest.Init(x.conn); err != nil {
		t.Skipf("no XTEST: %v", err)
	}
	xtest.FakeInput(x.conn, xproto.MotionNotify, 0, 0, x.root, int16(px), int16(py), 0)
	xtest.FakeInput(x.conn, xproto.ButtonPress, 1, 0, x.root, 0, 0, 0)
	if err := xtest.FakeInputChecked(x.conn, xproto.ButtonRelease, 1, 0, x.root, 0, 0, 0).Check(); err != nil {
		t.Fatal(err)
	}
}

// The technician's drawing is raised above every window with each stroke; the
// indicator must come back above it every time, so no drawing hides the frame
// and the badge. After many strokes across the badge, the badge is the top
// window and its own colour shows on the real screen.
func TestIndicatorStaysOnTopOfDrawings(t *testing.T) {
	display := xvfb.Start(t, 640, 400)
	x, err := NewX11(display, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	in := New(x, i18n.EN, nil)
	in.SetNames("Acme IT", "Alice", "support.acme.com")
	in.SetGrants(protocol.Permissions{View: true})
	bx, by, _, bh := x.BadgeRect()

	ov, err := overlay.NewX11(display)
	if err != nil {
		t.Fatal(err)
	}
	defer ov.Close()
	blue := color.RGBA{B: 255, A: 255}
	for i := range 50 {
		// Strokes through the badge (its left edge, clear of the text) and
		// along the frame.
		y := by + i%bh
		if err := ov.Draw([]overlay.Stroke{
			{Color: blue, Width: 8, Points: []image.Point{{bx - 20, y}, {bx + 6, y}}},
			{Color: blue, Width: 8, Points: []image.Point{{0, 50 + i}, {20, 50 + i}}},
		}); err != nil {
			t.Fatal(err)
		}
	}

	deadline := time.Now().Add(10 * time.Second)
	for {
		top := topWindow(t, x)
		img, err := screenshot.GrabX11(display)
		if err != nil {
			t.Fatal(err)
		}
		badge, frame := img.RGBAAt(bx+2, by+bh/2), img.RGBAAt(1, 60)
		if top == x.badge && near(badge, viewedRGB) && near(frame, viewedRGB) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 50 strokes the top window is %d (badge %d); the badge shows %v and the frame %v, want orange",
				top, x.badge, badge, frame)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// topWindow is the highest mapped child of the root window.
func topWindow(t *testing.T, x *X11) xproto.Window {
	t.Helper()
	tree, err := xproto.QueryTree(x.conn, x.root).Reply()
	if err != nil {
		t.Fatal(err)
	}
	for i := len(tree.Children) - 1; i >= 0; i-- {
		a, err := xproto.GetWindowAttributes(x.conn, tree.Children[i]).Reply()
		if err == nil && a.MapState == xproto.MapStateViewable {
			return tree.Children[i]
		}
	}
	return 0
}

// Two agents on one desktop (two sessions, or the e2e tests' customers) each
// keep their indicator on top of everything else, but not of each other's:
// raising over any restacked window must not start a raising match between
// them, which would flood the X server and freeze both.
func TestTwoIndicatorsDoNotFight(t *testing.T) {
	display := xvfb.Start(t, 640, 400)
	var ins []*Indicator
	for range 2 {
		x, err := NewX11(display, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		in := New(x, i18n.EN, nil)
		in.SetNames("Acme IT", "Alice", "support.acme.com")
		ins = append(ins, in)
	}
	watch, err := xgb.NewConnDisplay(display)
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Close()
	root := xproto.Setup(watch).DefaultScreen(watch).Root
	if err := xproto.ChangeWindowAttributesChecked(watch, root, xproto.CwEventMask,
		[]uint32{xproto.EventMaskSubstructureNotify}).Check(); err != nil {
		t.Fatal(err)
	}
	for _, in := range ins {
		in.SetGrants(protocol.Permissions{View: true})
	}
	// Both shown: a handful of restacks each, then quiet. A match between
	// them goes on without end.
	events := make(chan struct{}, 1<<16)
	go func() {
		for {
			ev, err := watch.WaitForEvent()
			if ev == nil && err == nil {
				return
			}
			if _, ok := ev.(xproto.ConfigureNotifyEvent); ok {
				events <- struct{}{}
			}
		}
	}()
	n := 0
	for end := time.After(2 * time.Second); ; {
		select {
		case <-events:
			n++
			continue
		case <-end:
		}
		break
	}
	if n > 200 {
		t.Fatalf("%d restacks in 2 s: the two indicators are fighting", n)
	}
	t.Logf("%d restacks", n)
}

// On a real X server: "Hide a window" on the badge takes the customer's
// next click (a crosshair, the pointer grabbed: the window there gets no
// press) and reports where it was.
func TestIndicatorHideAWindowOnXvfb(t *testing.T) {
	display := xvfb.Start(t, 640, 400)
	var in atomic.Pointer[Indicator]
	x, err := NewX11(display, func(z Zone) { in.Load().Click(z) })
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	i := New(x, i18n.EN, nil)
	in.Store(i)
	hidden := make(chan image.Point, 1)
	i.OnHide(func(at image.Point) { hidden <- at })
	i.SetNames("Acme IT", "Alice", "support.acme.com")
	i.SetGrants(protocol.Permissions{View: true})

	// Another program's window where the customer will click.
	app, err := xgb.NewConnDisplay(display)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	scr := xproto.Setup(app).DefaultScreen(app)
	w, _ := xproto.NewWindowId(app)
	if err := xproto.CreateWindowChecked(app, scr.RootDepth, w, scr.Root, 50, 50, 200, 150, 0, xproto.WindowClassInputOutput,
		scr.RootVisual, xproto.CwEventMask, []uint32{xproto.EventMaskButtonPress}).Check(); err != nil {
		t.Fatal(err)
	}
	xproto.MapWindow(app, w)

	bx, by, _, _ := x.BadgeRect()
	if x.HideX() >= x.EndX() {
		t.Fatalf("the badge has no Hide a window button (hideX %d, endX %d)", x.HideX(), x.EndX())
	}
	click(t, x, bx+(x.HideX()+x.EndX())/2, by+BadgeHeight/2)
	// The pick is on once the pointer is grabbed. (Not probed with a grab
	// of the test's own: it would take the pointer from the badge.)
	deadline := time.Now().Add(10 * time.Second)
	for {
		x.mu.Lock()
		on := x.pickDone != nil
		x.mu.Unlock()
		if on {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the pointer is not grabbed after Hide a window")
		}
		time.Sleep(10 * time.Millisecond)
	}
	click(t, x, 120, 100)
	select {
	case at := <-hidden:
		if at != image.Pt(120, 100) {
			t.Fatalf("the window to hide was clicked at %v, want 120,100", at)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the click on the window was not reported")
	}
	if _, err := xproto.GetInputFocus(app).Reply(); err != nil {
		t.Fatal(err)
	}
	for {
		ev, err := app.PollForEvent()
		if ev == nil && err == nil {
			break
		}
		if _, ok := ev.(xproto.ButtonPressEvent); ok {
			t.Fatal("the window under the pick got the press")
		}
	}
	// The pointer is the customer's again.
	r, err := xproto.GrabPointer(app, false, scr.Root, 0, xproto.GrabModeAsync, xproto.GrabModeAsync, 0, 0, xproto.TimeCurrentTime).Reply()
	if err != nil || r.Status != xproto.GrabStatusSuccess {
		t.Fatalf("the pointer is still grabbed after the pick: %+v, %v", r, err)
	}
}
