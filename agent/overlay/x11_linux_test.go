package overlay

import (
	"image"
	"image/color"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/shape"
	"github.com/jezek/xgb/xproto"

	"github.com/lifeline-support/lifeline/agent/screenshot"
	"github.com/lifeline-support/lifeline/e2e/xvfb"
)

func isRed(c color.RGBA) bool { return c.R > 200 && c.G < 60 && c.B < 60 }

// TestX11OnXvfb draws through the real X11 backend and reads the screen back.
func TestX11OnXvfb(t *testing.T) {
	display := xvfb.Start(t, 320, 200)
	x, err := NewX11(display)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if w, h := x.Size(); w != 320 || h != 200 {
		t.Fatalf("size %dx%d", w, h)
	}
	grab := func() *image.RGBA {
		img, err := screenshot.GrabX11(display)
		if err != nil {
			t.Fatal(err)
		}
		return img
	}

	red := color.RGBA{R: 255, A: 255}
	if err := x.Draw([]Stroke{{Color: red, Width: 5, Points: []image.Point{{10, 20}, {60, 20}}}}); err != nil {
		t.Fatal(err)
	}
	// The next part of the stroke, and a dot elsewhere.
	if err := x.Draw([]Stroke{{Color: red, Width: 5, Points: []image.Point{{60, 20}, {100, 20}}}, {Color: red, Width: 6, Points: []image.Point{{300, 190}}}}); err != nil {
		t.Fatal(err)
	}
	img := grab()
	for _, p := range []image.Point{{10, 20}, {50, 18}, {80, 20}, {100, 22}, {300, 190}} {
		if c := img.RGBAAt(p.X, p.Y); !isRed(c) {
			t.Errorf("stroke pixel %v is %v, want red", p, c)
		}
	}
	for _, p := range []image.Point{{50, 30}, {150, 20}, {200, 100}} {
		if c := img.RGBAAt(p.X, p.Y); isRed(c) {
			t.Errorf("pixel %v off the stroke is red", p)
		}
	}
	// Click-through: the overlay windows take no input anywhere.
	for _, win := range [...]struct {
		name string
		r    *shape.GetRectanglesReply
	}{
		{"drawing", must(shape.GetRectangles(x.conn, x.draw, shape.SkInput).Reply())},
		{"laser", must(shape.GetRectangles(x.conn, x.laser, shape.SkInput).Reply())},
	} {
		if win.r.RectanglesLen != 0 {
			t.Errorf("the %s window takes input in %d rectangles", win.name, win.r.RectanglesLen)
		}
	}

	// Always on top: a window mapped over the stroke later does not hide it.
	other := coverWith(t, display, 0, 0, 320, 60)
	waitRed := func(p image.Point) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for !isRed(grab().RGBAAt(p.X, p.Y)) {
			if time.Now().After(deadline) {
				t.Fatalf("pixel %v is not red: the overlay went under another window", p)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitRed(image.Pt(50, 20))
	if c := grab().RGBAAt(50, 40); c != (color.RGBA{255, 255, 255, 255}) {
		t.Fatalf("the covering window shows %v, want white", c)
	}
	other.Close()

	if err := x.SetLaser(image.Pt(200, 100), true); err != nil {
		t.Fatal(err)
	}
	img = grab()
	if c := img.RGBAAt(200, 100); !isRed(c) {
		t.Errorf("laser centre is %v, want red", c)
	}
	if c := img.RGBAAt(200+LaserRadius+3, 100); isRed(c) {
		t.Errorf("pixel beside the laser dot is red")
	}
	if err := x.SetLaser(image.Pt(250, 150), true); err != nil {
		t.Fatal(err)
	}
	img = grab()
	if !isRed(img.RGBAAt(250, 150)) || isRed(img.RGBAAt(200, 100)) {
		t.Errorf("the laser did not move: new %v, old %v", img.RGBAAt(250, 150), img.RGBAAt(200, 100))
	}

	if err := x.Clear(); err != nil {
		t.Fatal(err)
	}
	if err := x.SetLaser(image.Point{}, false); err != nil {
		t.Fatal(err)
	}
	img = grab()
	for _, p := range []image.Point{{10, 20}, {50, 20}, {250, 150}, {300, 190}} {
		if c := img.RGBAAt(p.X, p.Y); isRed(c) {
			t.Errorf("pixel %v still red after erasing", p)
		}
	}
}

// coverWith maps a white application window at x, y, w×h on display (Xvfb
// has no window manager: it stays where it is put).
func coverWith(t *testing.T, display string, x, y, w, h int) *xgb.Conn {
	t.Helper()
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(conn.Close)
	scr := xproto.Setup(conn).DefaultScreen(conn)
	win, _ := xproto.NewWindowId(conn)
	if err := xproto.CreateWindowChecked(conn, scr.RootDepth, win, scr.Root, int16(x), int16(y), uint16(w), uint16(h), 0,
		xproto.WindowClassInputOutput, scr.RootVisual, xproto.CwBackPixel,
		[]uint32{scr.WhitePixel}).Check(); err != nil {
		t.Fatal(err)
	}
	if err := xproto.MapWindowChecked(conn, win).Check(); err != nil {
		t.Fatal(err)
	}
	return conn
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// A stroke wider than SolidWidth is never an opaque fill: across its width,
// rows of what is under it still show on the real screen.
func TestWideStrokesShowWhatIsUnder(t *testing.T) {
	display := xvfb.Start(t, 320, 200)
	coverWith(t, display, 0, 0, 320, 200) // white under the drawing
	x, err := NewX11(display)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	red := color.RGBA{R: 255, A: 255}
	if err := x.Draw([]Stroke{
		{Color: red, Width: 32, Points: []image.Point{{40, 100}, {280, 100}}},
		{Color: red, Width: SolidWidth, Points: []image.Point{{40, 30}, {280, 30}}},
	}); err != nil {
		t.Fatal(err)
	}
	img, err := screenshot.GrabX11(display)
	if err != nil {
		t.Fatal(err)
	}
	count := func(y0, y1 int) (red, white int) {
		for y := y0; y < y1; y++ {
			switch c := img.RGBAAt(160, y); {
			case isRed(c):
				red++
			case c == color.RGBA{255, 255, 255, 255}:
				white++
			}
		}
		return red, white
	}
	if r, w := count(86, 114); r < 14 || w < 7 {
		t.Errorf("across the wide stroke: %d red and %d white pixels, want stripes of both", r, w)
	}
	if r, w := count(30-SolidWidth/2+1, 30+SolidWidth/2); w != 0 || r == 0 {
		t.Errorf("across a stroke %d px wide: %d red and %d white pixels, want solid red", SolidWidth, r, w)
	}
}
