package screen

import (
	"errors"
	"image"
	"image/color"
	"testing"

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
		c, err := OpenCapture(n, 100)
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
	if _, err := OpenCapture(2, 30); err == nil {
		t.Error("a capture of X screen 2 (there are two) opened")
	}
}

func TestCaptureWithoutDisplay(t *testing.T) {
	t.Setenv("DISPLAY", "")
	if _, err := OpenCapture(0, 30); !errors.Is(err, ErrNoDisplay) {
		t.Errorf("OpenCapture without DISPLAY: %v, want ErrNoDisplay", err)
	}
}
