package input_test

import (
	"errors"
	"fmt"
	"image"
	"math"
	"os/exec"
	"runtime"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"

	"github.com/lifeline-support/lifeline/agent/input"
	"github.com/lifeline-support/lifeline/e2e/testwindow/twtest"
	"github.com/lifeline-support/lifeline/e2e/xvfb"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

const screenW, screenH = 1280, 720

func TestNewWithoutDisplay(t *testing.T) {
	for _, display := range []string{"", ":4711"} {
		t.Run(fmt.Sprintf("DISPLAY=%q", display), func(t *testing.T) {
			t.Setenv("DISPLAY", display)
			r, err := input.New(input.Config{})
			if !errors.Is(err, input.ErrNoDisplay) {
				if r != nil {
					r.Close()
				}
				t.Fatalf("New() error = %v, want ErrNoDisplay", err)
			}
		})
	}
}

// desktop is an Xvfb with a testwindow on it and a Robot injecting into it.
type desktop struct {
	display string
	win     *twtest.Window
	robot   *input.Robot
}

// startWindow starts Xvfb and a testwindow on it, and points DISPLAY at it.
func startWindow(t *testing.T) *desktop {
	t.Helper()
	display := xvfb.Start(t, screenW, screenH)
	t.Setenv("DISPLAY", display)
	win := twtest.Start(t, display, twtest.Options{X: 200, Y: 150, W: 400, H: 300})
	return &desktop{display: display, win: win}
}

// startRobot opens a Robot on d, closed by t.Cleanup.
func (d *desktop) startRobot(t *testing.T) {
	t.Helper()
	r, err := input.New(input.Config{})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	d.robot = r
}

func startDesktop(t *testing.T) *desktop {
	t.Helper()
	d := startWindow(t)
	d.startRobot(t)
	return d
}

func (d *desktop) inject(t *testing.T, evs ...protocol.InputEvent) {
	t.Helper()
	for _, ev := range evs {
		if err := d.robot.Inject(ev); err != nil {
			t.Fatalf("Inject(%+v): %v", ev, err)
		}
	}
}

// frac expresses a root-window pixel as a fraction of the screen.
func frac(px, n int) float64 { return float64(px) / float64(n-1) }

func key(code string, down bool) protocol.InputEvent {
	return protocol.InputEvent{Kind: protocol.InputKey, Code: code, Down: down}
}

func near(a, b int) bool { return a-b <= 1 && b-a <= 1 }

// waitTyped waits until the key presses since mark have typed want and every
// key is released again: the last release may arrive after the last press,
// and must not be counted among the events of the next subtest. It fails at
// once when the presses stray from want.
func (d *desktop) waitTyped(t *testing.T, mark int, what, want string) []twtest.Event {
	t.Helper()
	return d.win.WaitFor(t, mark, what, func(evs []twtest.Event) bool {
		got := twtest.Typed(evs)
		if len(got) > len(want) || want[:len(got)] != got {
			t.Fatalf("typed %q, want %q", got, want)
		}
		return got == want && twtest.Released(evs)
	})
}

func TestRobotOnXvfb(t *testing.T) {
	d := startDesktop(t)
	cx, cy := d.win.Center()
	fx, fy := frac(cx, screenW), frac(cy, screenH)

	t.Run("click at the window centre", func(t *testing.T) {
		mark := d.win.Mark(t)
		d.inject(t,
			protocol.InputEvent{Kind: protocol.InputMove, X: fx, Y: fy},
			protocol.InputEvent{Kind: protocol.InputButton, X: fx, Y: fy, Button: protocol.ButtonLeft, Down: true},
			protocol.InputEvent{Kind: protocol.InputButton, X: fx, Y: fy, Button: protocol.ButtonLeft},
		)
		evs := d.win.WaitFor(t, mark, "button 1 press and release", func(evs []twtest.Event) bool {
			return len(twtest.Filter(evs, "button_release")) > 0
		})
		press := twtest.Filter(evs, "button_press")
		if len(press) != 1 || press[0].Button != 1 {
			t.Fatalf("button presses = %+v, want one of button 1", press)
		}
		p := press[0]
		if !near(p.RootX, cx) || !near(p.RootY, cy) {
			t.Errorf("press at root %d,%d, want %d,%d (±1)", p.RootX, p.RootY, cx, cy)
		}
		if !near(p.X, cx-d.win.X) || !near(p.Y, cy-d.win.Y) {
			t.Errorf("press at window %d,%d, want %d,%d (±1)", p.X, p.Y, cx-d.win.X, cy-d.win.Y)
		}
	})

	t.Run("right and middle buttons", func(t *testing.T) {
		mark := d.win.Mark(t)
		for _, b := range []int{protocol.ButtonRight, protocol.ButtonMiddle} {
			d.inject(t,
				protocol.InputEvent{Kind: protocol.InputButton, X: fx, Y: fy, Button: b, Down: true},
				protocol.InputEvent{Kind: protocol.InputButton, X: fx, Y: fy, Button: b})
		}
		evs := d.win.WaitFor(t, mark, "two releases", func(evs []twtest.Event) bool {
			return len(twtest.Filter(evs, "button_release")) == 2
		})
		press := twtest.Filter(evs, "button_press")
		if len(press) != 2 || press[0].Button != 3 || press[1].Button != 2 {
			t.Errorf("presses = %+v, want buttons 3 then 2", press)
		}
	})

	t.Run("type unicode text", func(t *testing.T) {
		const text = "Hello é€"
		mark := d.win.Mark(t)
		d.inject(t, protocol.InputEvent{Kind: protocol.InputText, Text: text})
		d.waitTyped(t, mark, fmt.Sprintf("typed %q", text), text)
	})

	t.Run("type more distinct characters than spare keycodes", func(t *testing.T) {
		// Forty distinct CJK characters: spare keycodes must be reused.
		var text []rune
		for r := rune(0x4e00); len(text) < 40; r += 7 {
			text = append(text, r)
		}
		want := "x" + string(text) + "\n😀ü日本"
		mark := d.win.Mark(t)
		d.inject(t, protocol.InputEvent{Kind: protocol.InputText, Text: want})
		wantTyped := "x" + string(text) + "\r😀ü日本" // Return types "\r"
		d.waitTyped(t, mark, "long text", wantTyped)
	})

	t.Run("shift and KeyA type A", func(t *testing.T) {
		mark := d.win.Mark(t)
		d.inject(t, key("ShiftLeft", true), key("KeyA", true), key("KeyA", false), key("ShiftLeft", false))
		// Wait for the last event injected, then check that exactly these
		// four arrived, in order.
		evs := d.win.WaitFor(t, mark, "Shift_L release", func(evs []twtest.Event) bool {
			for _, e := range evs {
				if e.Event == "key_release" && e.KeysymName == "Shift_L" {
					return true
				}
			}
			return false
		})
		if got := twtest.Typed(evs); got != "A" {
			t.Errorf("typed %q, want %q", got, "A")
		}
		var seq []string
		for _, e := range evs {
			if e.Event == "key_press" || e.Event == "key_release" {
				seq = append(seq, e.Event+" "+e.KeysymName)
			}
		}
		want := []string{"key_press Shift_L", "key_press A", "key_release A", "key_release Shift_L"}
		if fmt.Sprint(seq) != fmt.Sprint(want) {
			t.Errorf("key events = %q, want %q", seq, want)
		}
	})

	t.Run("keys by DOM code", func(t *testing.T) {
		codes := []struct{ code, name string }{
			{"Digit1", "1"}, {"Minus", "minus"}, {"Equal", "equal"}, {"Quote", "apostrophe"},
			{"Backquote", "grave"}, {"Slash", "slash"}, {"Enter", "Return"}, {"Tab", "Tab"},
			{"Backspace", "BackSpace"}, {"Escape", "Escape"}, {"ArrowUp", "Up"}, {"F5", "F5"},
			{"Space", "space"}, {"ControlLeft", "Control_L"}, {"AltLeft", "Alt_L"},
			{"NumpadAdd", "KP_Add"}, {"Home", "Home"},
		}
		mark := d.win.Mark(t)
		for _, c := range codes {
			d.inject(t, key(c.code, true), key(c.code, false))
		}
		evs := d.win.WaitFor(t, mark, "all releases", func(evs []twtest.Event) bool {
			return len(twtest.Filter(evs, "key_release")) == len(codes)
		})
		press := twtest.Filter(evs, "key_press")
		for i, c := range codes {
			if i >= len(press) || press[i].KeysymName != c.name {
				t.Errorf("%s: press %d = %+v, want keysym %s", c.code, i, press, c.name)
				break
			}
		}
	})

	t.Run("wheel", func(t *testing.T) {
		mark := d.win.Mark(t)
		d.inject(t,
			protocol.InputEvent{Kind: protocol.InputWheel, X: fx, Y: fy, DY: 2},
			protocol.InputEvent{Kind: protocol.InputWheel, X: fx, Y: fy, DY: -1},
			protocol.InputEvent{Kind: protocol.InputWheel, X: fx, Y: fy, DX: 1},
			protocol.InputEvent{Kind: protocol.InputWheel, X: fx, Y: fy, DX: -1},
		)
		want := []int{5, 5, 4, 7, 6}
		evs := d.win.WaitFor(t, mark, "wheel buttons", func(evs []twtest.Event) bool {
			return len(twtest.Filter(evs, "button_release")) >= len(want)
		})
		var got []int
		for _, e := range twtest.Filter(evs, "button_press") {
			got = append(got, e.Button)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("wheel buttons = %v, want %v", got, want)
		}
	})

	t.Run("unknown key is rejected and sends nothing", func(t *testing.T) {
		mark := d.win.Mark(t)
		for _, code := range []string{"NoSuchKey", "keya", "Fn", ""} {
			if err := d.robot.Inject(key(code, true)); !errors.Is(err, input.ErrUnknownKey) {
				t.Errorf("Inject(key %q) = %v, want ErrUnknownKey", code, err)
			}
		}
		d.inject(t, key("KeyZ", true), key("KeyZ", false))
		evs := d.win.WaitFor(t, mark, "z release", func(evs []twtest.Event) bool {
			return len(twtest.Filter(evs, "key_release")) > 0
		})
		if got := twtest.Typed(evs); got != "z" {
			t.Errorf("typed %q, want only the sentinel %q", got, "z")
		}
	})

	t.Run("bad events are rejected", func(t *testing.T) {
		bad := []protocol.InputEvent{
			{Kind: "jump"},
			{Kind: protocol.InputMove, X: 1.5, Y: 0.5},
			{Kind: protocol.InputMove, X: math.NaN(), Y: 0.5},
			{Kind: protocol.InputButton, X: 0.5, Y: 0.5, Button: 7},
			{Kind: protocol.InputText, Text: ""},
			{Kind: protocol.InputText, Text: "\xff"},
		}
		for _, ev := range bad {
			if err := d.robot.Inject(ev); !errors.Is(err, input.ErrBadEvent) {
				t.Errorf("Inject(%+v) = %v, want ErrBadEvent", ev, err)
			}
		}
	})

	t.Run("ReleaseAll releases held keys and buttons", func(t *testing.T) {
		mark := d.win.Mark(t)
		d.inject(t, key("ControlLeft", true), key("ShiftRight", true),
			protocol.InputEvent{Kind: protocol.InputButton, X: fx, Y: fy, Button: protocol.ButtonLeft, Down: true})
		d.win.WaitFor(t, mark, "button press", func(evs []twtest.Event) bool {
			return len(twtest.Filter(evs, "button_press")) == 1
		})
		if err := d.robot.ReleaseAll(); err != nil {
			t.Fatalf("ReleaseAll: %v", err)
		}
		evs := d.win.WaitFor(t, mark, "releases", func(evs []twtest.Event) bool {
			return len(twtest.Filter(evs, "key_release")) == 2 && len(twtest.Filter(evs, "button_release")) == 1
		})
		names := map[string]bool{}
		for _, e := range twtest.Filter(evs, "key_release") {
			names[e.KeysymName] = true
		}
		if !names["Control_L"] || !names["Shift_R"] {
			t.Errorf("released %v, want Control_L and Shift_R", names)
		}
		// Nothing is held any more: a key typed now has no modifiers.
		mark = d.win.Mark(t)
		d.inject(t, key("KeyB", true), key("KeyB", false))
		evs = d.win.WaitFor(t, mark, "b", func(evs []twtest.Event) bool {
			return len(twtest.Filter(evs, "key_release")) == 1
		})
		if p := twtest.Filter(evs, "key_press"); len(p) != 1 || p[0].State&0xff0f != 0 || p[0].Text != "b" {
			t.Errorf("after ReleaseAll, press = %+v, want plain b", p)
		}
	})

	t.Run("only one Robot at a time", func(t *testing.T) {
		if r, err := input.New(input.Config{}); !errors.Is(err, input.ErrInUse) {
			if r != nil {
				r.Close()
			}
			t.Errorf("second New() = %v, want ErrInUse", err)
		}
	})
}

func TestCloseReleasesAndRestores(t *testing.T) {
	d := startWindow(t)
	before := runtime.NumGoroutine()
	d.startRobot(t)
	cx, cy := d.win.Center()
	mark := d.win.Mark(t)
	d.inject(t,
		protocol.InputEvent{Kind: protocol.InputText, Text: "€"},
		key("ShiftLeft", true),
		protocol.InputEvent{Kind: protocol.InputButton, X: frac(cx, screenW), Y: frac(cy, screenH), Button: protocol.ButtonRight, Down: true},
	)
	d.win.WaitFor(t, mark, "€, shift and button 3", func(evs []twtest.Event) bool {
		return twtest.Typed(evs) == "€" && len(twtest.Filter(evs, "button_press")) == 1
	})
	for i := 0; i < 2; i++ { // idempotent
		if err := d.robot.Close(); err != nil {
			t.Fatalf("Close #%d: %v", i+1, err)
		}
	}
	evs := d.win.WaitFor(t, mark, "releases after Close", func(evs []twtest.Event) bool {
		return len(twtest.Filter(evs, "button_release")) == 1 &&
			len(twtest.Filter(evs, "key_release")) == 2 // € and Shift_L
	})
	if rel := twtest.Filter(evs, "button_release"); rel[0].Button != 3 {
		t.Errorf("released button %d, want 3", rel[0].Button)
	}
	if err := d.robot.Inject(key("KeyA", true)); !errors.Is(err, input.ErrClosed) {
		t.Errorf("Inject after Close = %v, want ErrClosed", err)
	}
	if err := d.robot.ReleaseAll(); !errors.Is(err, input.ErrClosed) {
		t.Errorf("ReleaseAll after Close = %v, want ErrClosed", err)
	}

	// The keycode borrowed for € is cleared again.
	conn, err := xgb.NewConnDisplay(d.display)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	setup := xproto.Setup(conn)
	km, err := xproto.GetKeyboardMapping(conn, setup.MinKeycode, byte(int(setup.MaxKeycode)-int(setup.MinKeycode)+1)).Reply()
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range km.Keysyms {
		if s == 0x010020ac {
			t.Errorf("keycode %d still maps to U+20AC after Close", int(setup.MinKeycode)+i/int(km.KeysymsPerKeycode))
		}
	}
	conn.Close()

	// A new Robot may open once the old one is closed.
	r, err := input.New(input.Config{})
	if err != nil {
		t.Fatalf("New after Close: %v", err)
	}
	if w, h := r.Size(); w != screenW || h != screenH {
		t.Errorf("Size() = %dx%d, want %dx%d", w, h, screenW, screenH)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}

	// No goroutine of ours outlives Close.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("goroutines: %d before, %d after Close:\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func scan(code string, down bool) protocol.InputEvent {
	return protocol.InputEvent{Kind: protocol.InputScan, Code: code, Down: down}
}

// setLayout switches the display's keyboard layout, as the customer's
// desktop settings would.
func setLayout(t *testing.T, display, layout string) {
	t.Helper()
	if _, err := exec.LookPath("setxkbmap"); err != nil {
		t.Skip("setxkbmap is not installed (apt-get install x11-xkb-utils)")
	}
	if out, err := exec.Command("setxkbmap", "-display", display, layout).CombinedOutput(); err != nil {
		t.Fatalf("setxkbmap %s: %v: %s", layout, err, out)
	}
}

// On an AZERTY desktop, physical keys type what the customer's layout puts
// there ("remote" mode), and text types its characters ("local" mode), AltGr
// characters included.
func TestKeyboardModesOnAZERTY(t *testing.T) {
	d := startWindow(t)
	setLayout(t, d.display, "fr")
	d.startRobot(t)

	t.Run("remote: physical keys follow the customer's layout", func(t *testing.T) {
		mark := d.win.Mark(t)
		// Q, W and 2 on a US keyboard are a, z and é on AZERTY; Shift+2 is 2.
		d.inject(t, scan("KeyQ", true), scan("KeyQ", false),
			scan("KeyW", true), scan("KeyW", false),
			scan("Digit2", true), scan("Digit2", false),
			scan("ShiftLeft", true), scan("Digit2", true), scan("Digit2", false), scan("ShiftLeft", false))
		d.waitTyped(t, mark, "a, z, é, 2 from physical keys", "azé2")
	})

	t.Run("local: characters whatever the layout", func(t *testing.T) {
		const text = "é€@aq"
		mark := d.win.Mark(t)
		d.inject(t, protocol.InputEvent{Kind: protocol.InputText, Text: text})
		d.waitTyped(t, mark, fmt.Sprintf("typed %q", text), text)
	})

	t.Run("a held physical key is released when control ends", func(t *testing.T) {
		mark := d.win.Mark(t)
		d.inject(t, scan("ShiftLeft", true))
		d.win.WaitFor(t, mark, "Shift pressed", func(evs []twtest.Event) bool {
			return len(twtest.Filter(evs, "key_press")) == 1
		})
		if err := d.robot.ReleaseAll(); err != nil {
			t.Fatal(err)
		}
		d.win.WaitFor(t, mark, "Shift pressed and released", func(evs []twtest.Event) bool {
			return len(twtest.Filter(evs, "key_press")) == 1 && twtest.Released(evs)
		})
	})

	t.Run("unknown physical key is refused", func(t *testing.T) {
		if err := d.robot.Inject(scan("KeyÄ", true)); !errors.Is(err, input.ErrUnknownKey) {
			t.Errorf("Inject(KeyÄ) = %v, want ErrUnknownKey", err)
		}
	})
}

// With a monitor set, positions are fractions of that monitor: here a second
// X screen, which robotgo alone cannot reach.
func TestClickOnSecondScreen(t *testing.T) {
	display := xvfb.StartScreens(t, image.Pt(640, 480), image.Pt(800, 600))
	t.Setenv("DISPLAY", display)
	win := twtest.Start(t, display+".1", twtest.Options{X: 100, Y: 100, W: 400, H: 300})
	d := &desktop{display: display, win: win}
	d.startRobot(t)
	d.robot.SetMonitor(protocol.Monitor{Screen: 1, W: 800, H: 600})
	cx, cy := win.Center()
	fx, fy := frac(cx, 800), frac(cy, 600)
	mark := win.Mark(t)
	d.inject(t,
		protocol.InputEvent{Kind: protocol.InputButton, X: fx, Y: fy, Button: protocol.ButtonLeft, Down: true},
		protocol.InputEvent{Kind: protocol.InputButton, X: fx, Y: fy, Button: protocol.ButtonLeft})
	evs := win.WaitFor(t, mark, "the click on screen 1", func(evs []twtest.Event) bool {
		return len(twtest.Filter(evs, "button_release")) > 0
	})
	p := twtest.Filter(evs, "button_press")[0]
	if !near(p.RootX, cx) || !near(p.RootY, cy) {
		t.Errorf("press at %d,%d of screen 1, want %d,%d", p.RootX, p.RootY, cx, cy)
	}
}
