package twtest_test

import (
	"testing"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
	"github.com/jezek/xgb/xtest"

	"github.com/lifeline-support/lifeline/e2e/testwindow/twtest"
	"github.com/lifeline-support/lifeline/e2e/xvfb"
)

// TestTestwindow checks the window's pattern, focus and event log with plain
// XTEST requests (no robotgo), including a keycode remapped while it runs.
func TestTestwindow(t *testing.T) {
	display := xvfb.Start(t, 800, 600)
	win := twtest.Start(t, display, twtest.Options{X: 50, Y: 40, W: 200, H: 100})
	if win.ID == 0 {
		t.Fatal("no window id on the ready line")
	}
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := xtest.Init(conn); err != nil {
		t.Fatal(err)
	}
	screen := xproto.Setup(conn).DefaultScreen(conn)

	t.Run("pattern", func(t *testing.T) {
		for _, c := range []struct {
			x, y int
			want uint32
		}{
			{50 + 50, 40 + 25, 0xff0000},  // red top-left
			{50 + 150, 40 + 25, 0x00ff00}, // green top-right
			{50 + 50, 40 + 75, 0x0000ff},  // blue bottom-left
			{50 + 150, 40 + 75, 0xffff00}, // yellow bottom-right
		} {
			img, err := xproto.GetImage(conn, xproto.ImageFormatZPixmap, xproto.Drawable(screen.Root),
				int16(c.x), int16(c.y), 1, 1, 0xffffffff).Reply()
			if err != nil {
				t.Fatal(err)
			}
			got := uint32(img.Data[0]) | uint32(img.Data[1])<<8 | uint32(img.Data[2])<<16 // BGRx
			if got != c.want {
				t.Errorf("pixel %d,%d = #%06x, want #%06x", c.x, c.y, got, c.want)
			}
		}
	})

	t.Run("focus", func(t *testing.T) {
		f, err := xproto.GetInputFocus(conn).Reply()
		if err != nil {
			t.Fatal(err)
		}
		if uint32(f.Focus) != win.ID {
			t.Errorf("focus on %#x, want the window %#x", f.Focus, win.ID)
		}
	})

	t.Run("button", func(t *testing.T) {
		mark := win.Mark(t)
		fake(t, conn, xproto.MotionNotify, 0, screen.Root, 120, 70)
		fake(t, conn, xproto.ButtonPress, 3, 0, 0, 0)
		fake(t, conn, xproto.ButtonRelease, 3, 0, 0, 0)
		evs := win.WaitFor(t, mark, "button 3", func(evs []twtest.Event) bool {
			return len(twtest.Filter(evs, "button_release")) == 1
		})
		p := twtest.Filter(evs, "button_press")
		if len(p) != 1 || p[0].Button != 3 || p[0].RootX != 120 || p[0].RootY != 70 || p[0].X != 70 || p[0].Y != 30 {
			t.Errorf("press = %+v, want button 3 at root 120,70, window 70,30", p)
		}
	})

	t.Run("remapped keycode decodes to its new keysym", func(t *testing.T) {
		setup := xproto.Setup(conn)
		km, err := xproto.GetKeyboardMapping(conn, setup.MinKeycode, byte(int(setup.MaxKeycode)-int(setup.MinKeycode)+1)).Reply()
		if err != nil {
			t.Fatal(err)
		}
		per := int(km.KeysymsPerKeycode)
		kc := setup.MaxKeycode
		syms := make([]xproto.Keysym, per)
		for _, s := range []xproto.Keysym{0x010065e5, 0xfc} { // 日, ü
			mark := win.Mark(t)
			syms[0], syms[1] = s, s
			if err := xproto.ChangeKeyboardMappingChecked(conn, 1, kc, byte(per), syms).Check(); err != nil {
				t.Fatal(err)
			}
			fake(t, conn, xproto.KeyPress, byte(kc), 0, 0, 0)
			fake(t, conn, xproto.KeyRelease, byte(kc), 0, 0, 0)
			want := map[xproto.Keysym]string{0x010065e5: "日", 0xfc: "ü"}[s]
			win.WaitFor(t, mark, "typed "+want, func(evs []twtest.Event) bool {
				return twtest.Typed(evs) == want
			})
		}
		orig := km.Keysyms[int(kc-setup.MinKeycode)*per:][:per]
		xproto.ChangeKeyboardMappingChecked(conn, 1, kc, byte(per), orig).Check()
	})
}

func fake(t *testing.T, conn *xgb.Conn, typ, detail byte, root xproto.Window, x, y int16) {
	t.Helper()
	if err := xtest.FakeInputChecked(conn, typ, detail, 0, root, x, y, 0).Check(); err != nil {
		t.Fatal(err)
	}
}

func TestReleased(t *testing.T) {
	key := func(kind string, kc int) twtest.Event { return twtest.Event{Event: kind, Keycode: kc} }
	btn := func(kind string, b int) twtest.Event { return twtest.Event{Event: kind, Button: b} }
	for _, c := range []struct {
		name string
		evs  []twtest.Event
		want bool
	}{
		{"nothing", nil, true},
		{"tap", []twtest.Event{key("key_press", 38), key("key_release", 38)}, true},
		{"last release missing", []twtest.Event{key("key_press", 50), key("key_press", 38), key("key_release", 38)}, false},
		{"release of an earlier press", []twtest.Event{key("key_release", 184), key("key_press", 38), key("key_release", 38)}, true},
		{"button held", []twtest.Event{btn("button_press", 1), key("key_press", 38), key("key_release", 38)}, false},
		{"click", []twtest.Event{btn("button_press", 3), btn("button_release", 3)}, true},
	} {
		if got := twtest.Released(c.evs); got != c.want {
			t.Errorf("%s: Released = %v, want %v", c.name, got, c.want)
		}
	}
}
