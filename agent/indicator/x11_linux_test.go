package indicator

import (
	"image/color"
	"testing"
	"time"

	"github.com/jezek/xgb/xproto"
	"github.com/jezek/xgb/xtest"

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
// badge while viewed, red while controlled, and a click on the badge stops.
func TestIndicatorOnXvfb(t *testing.T) {
	display := xvfb.Start(t, 640, 400)
	stops := make(chan bool, 4)
	x, err := NewX11(display, func(controlled bool) { stops <- controlled })
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	in := New(x, i18n.EN, nil)
	in.SetNames("Acme IT", "Alice")
	pixel := func(px, py int) color.RGBA {
		t.Helper()
		img, err := screenshot.GrabX11(display)
		if err != nil {
			t.Fatal(err)
		}
		return img.RGBAAt(px, py)
	}

	in.SetGrants(protocol.Permissions{})
	if c := pixel(1, 200); near(c, viewedRGB) || near(c, controlledRGB) {
		t.Fatalf("frame shown with nothing granted: %v", c)
	}
	in.SetGrants(protocol.Permissions{View: true})
	for _, p := range [][2]int{{1, 200}, {638, 200}, {320, 398}, {320, 1}} {
		if c := pixel(p[0], p[1]); !near(c, viewedRGB) {
			t.Errorf("viewed: pixel %v is %v, want orange", p, c)
		}
	}
	bx, by, bw, bh := x.BadgeRect()
	if bw < 200 || bh != BadgeHeight || by != 0 || bx+bw/2 != 320 {
		t.Errorf("badge at %d,%d %dx%d, want centred at the top", bx, by, bw, bh)
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
	if x.font != 0 && white < 50 {
		t.Errorf("the badge shows no text (%d white pixels)", white)
	}
	t.Logf("badge text: %d white pixels, font %v", white, x.font != 0)
	in.SetGrants(protocol.Permissions{View: true, Control: true})
	if c := pixel(1, 200); !near(c, controlledRGB) {
		t.Errorf("controlled: frame is %v, want red", c)
	}
	// The frame lets clicks through; the badge takes them.
	click(t, x, bx+bw/2, by+bh/2)
	select {
	case controlled := <-stops:
		if !controlled {
			t.Error("click while controlled did not ask to stop control")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a click on the badge did nothing")
	}
	in.SetGrants(protocol.Permissions{})
	if c := pixel(1, 200); near(c, viewedRGB) || near(c, controlledRGB) {
		t.Errorf("frame still shown after everything was revoked: %v", c)
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
