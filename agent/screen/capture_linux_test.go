package screen

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"testing"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/randr"
	"github.com/jezek/xgb/xproto"

	"github.com/lifeline-support/lifeline/e2e/testwindow/twtest"
	"github.com/lifeline-support/lifeline/e2e/xvfb"
)

// Each X screen is captured whole, as it is on the screen: the test
// window's red quadrant is red in the frame, and each capture is numbered.
func TestCaptureReadsTheScreen(t *testing.T) {
	display := xvfb.StartScreens(t, image.Pt(640, 480), image.Pt(800, 600))
	t.Setenv("DISPLAY", display)
	win := twtest.Start(t, display+".1", twtest.Options{X: 100, Y: 50, W: 400, H: 300})

	for n, size := range []image.Point{{640, 480}, {800, 600}} {
		c, err := OpenCapture(n, 100, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if c.Size() != size {
			t.Fatalf("screen %d: size %v, want %v", n, c.Size(), size)
		}
		f, err := c.Read()
		if err != nil {
			t.Fatal(err)
		}
		if f.Rect.Size() != size || f.Stride < 4*size.X || len(f.Pix) < f.Stride*size.Y {
			t.Fatalf("screen %d: frame %v, stride %d, %d bytes", n, f.Rect, f.Stride, len(f.Pix))
		}
		seq := f.Seq
		if f, err = c.Read(); err != nil || f.Seq != seq+1 {
			t.Fatalf("screen %d: second capture numbered %d (first %d), %v", n, f.Seq, seq, err)
		}
		if n == 1 {
			i := (win.Y+75)*f.Stride + (win.X+100)*4 // B, G, R, X
			if b, g, r := f.Pix[i], f.Pix[i+1], f.Pix[i+2]; r < 200 || g > 50 || b > 50 {
				t.Errorf("pixel in the red quadrant is r %d g %d b %d", r, g, b)
			}
			if c := f.At(win.X+100, win.Y+75).(color.RGBA); c.R < 200 || c.G > 50 || c.B > 50 {
				t.Errorf("At in the red quadrant is %v", c)
			}
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Read(); !errors.Is(err, ErrClosed) {
			t.Fatalf("Read after Close: %v, want ErrClosed", err)
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := OpenCapture(2, 30, nil); err == nil {
		t.Error("a capture of X screen 2 (there are two) opened")
	}
}

func TestCaptureWithoutDisplay(t *testing.T) {
	t.Setenv("DISPLAY", "")
	if _, err := OpenCapture(0, 30, nil); !errors.Is(err, ErrNoDisplay) {
		t.Errorf("OpenCapture without DISPLAY: %v, want ErrNoDisplay", err)
	}
}

// When the screen changes size (RandR), the next capture has the new size:
// smaller (the old image no longer fits: X refuses it) and larger again (the
// old image would fit and show the top-left corner only).
func TestCaptureFollowsScreenSize(t *testing.T) {
	display := xvfb.Start(t, 800, 600)
	t.Setenv("DISPLAY", display)
	setSize := randrResizer(t, display)
	c, err := OpenCapture(0, 100, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, size := range []image.Point{{640, 480}, {800, 600}, {640, 480}} {
		setSize(size.X, size.Y)
		f, err := c.Read()
		if err != nil {
			t.Fatalf("capture after resizing to %v: %v", size, err)
		}
		if f.Rect.Size() != size || len(f.Pix) < f.Stride*size.Y {
			t.Fatalf("capture after resizing to %v: %v", size, f.Rect)
		}
	}
}

// randrResizer returns a function that sets the size of display's screen as
// xrandr does (a mode of that size on the output, then the screen size).
// Xvfb's screen cannot grow beyond its starting size.
func randrResizer(t *testing.T, display string) func(w, h int) {
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(conn.Close)
	if err := randr.Init(conn); err != nil {
		t.Fatalf("RandR: %v", err)
	}
	root := xproto.Setup(conn).DefaultScreen(conn).Root
	res, err := randr.GetScreenResources(conn, root).Reply()
	if err != nil || len(res.Crtcs) == 0 || len(res.Outputs) == 0 {
		t.Fatalf("RandR screen resources: %+v, %v", res, err)
	}
	modes := map[image.Point]randr.Mode{}
	for _, m := range res.Modes {
		modes[image.Pt(int(m.Width), int(m.Height))] = randr.Mode(m.Id)
	}
	return func(w, h int) {
		t.Helper()
		mode, ok := modes[image.Pt(w, h)]
		if !ok {
			name := fmt.Sprintf("%dx%d", w, h)
			info := randr.ModeInfo{Width: uint16(w), Height: uint16(h), DotClock: uint32(w * h * 60),
				Htotal: uint16(w), Vtotal: uint16(h), NameLen: uint16(len(name))}
			reply, err := randr.CreateMode(conn, root, info, name).Reply()
			if err != nil {
				t.Fatalf("create mode %s: %v", name, err)
			}
			mode = reply.Mode
			if err := randr.AddOutputModeChecked(conn, res.Outputs[0], mode).Check(); err != nil {
				t.Fatalf("add mode %s: %v", name, err)
			}
			modes[image.Pt(w, h)] = mode
		}
		// Shrinking: the output first; growing: the screen first.
		crtc := func() {
			if _, err := randr.SetCrtcConfig(conn, res.Crtcs[0], xproto.TimeCurrentTime, res.ConfigTimestamp,
				0, 0, mode, randr.RotationRotate0, res.Outputs[:1]).Reply(); err != nil {
				t.Fatalf("set the output to %dx%d: %v", w, h, err)
			}
		}
		screen := func() {
			if err := randr.SetScreenSizeChecked(conn, root, uint16(w), uint16(h), uint32(w/4), uint32(h/4)).Check(); err != nil {
				t.Fatalf("set the screen to %dx%d: %v", w, h, err)
			}
		}
		var cur *xproto.GetGeometryReply
		if cur, err = xproto.GetGeometry(conn, xproto.Drawable(root)).Reply(); err != nil {
			t.Fatal(err)
		}
		if w < int(cur.Width) {
			crtc()
			screen()
		} else {
			screen()
			crtc()
		}
	}
}
