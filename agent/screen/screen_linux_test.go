package screen

import (
	"image"
	"testing"

	"github.com/lifeline-support/lifeline/e2e/testwindow/twtest"
	"github.com/lifeline-support/lifeline/e2e/xvfb"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// A display with two X screens lists both, the first whole; the second is
// grabbed pixel for pixel.
func TestMonitorsAndGrabOnTwoScreens(t *testing.T) {
	display := xvfb.StartScreens(t, image.Pt(640, 480), image.Pt(800, 600))
	t.Setenv("DISPLAY", display)
	win := twtest.Start(t, display+".1", twtest.Options{X: 100, Y: 50, W: 400, H: 300})

	mons, err := Monitors()
	if err != nil {
		t.Fatal(err)
	}
	want := []protocol.Monitor{{Screen: 0, W: 640, H: 480}, {Screen: 1, W: 800, H: 600}}
	if len(mons) != len(want) || mons[0] != want[0] || mons[1] != want[1] {
		t.Fatalf("Monitors() = %+v, want %+v", mons, want)
	}

	var g Grabber
	defer g.Close()
	img, err := g.Grab(mons[1], nil)
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Dx() != 800 || img.Bounds().Dy() != 600 {
		t.Fatalf("grabbed %v, want 800×600", img.Bounds())
	}
	// The test window's top-left quadrant is red.
	if c := img.RGBAAt(win.X+100, win.Y+75); c.R < 200 || c.G > 50 || c.B > 50 {
		t.Errorf("pixel in the red quadrant is %v", c)
	}
	if _, err := g.Grab(protocol.Monitor{Screen: 5, W: 10, H: 10}, img); err == nil {
		t.Error("Grab of a screen that does not exist succeeded")
	}
}

func TestMonitorsWithoutDisplay(t *testing.T) {
	t.Setenv("DISPLAY", "")
	if _, err := Monitors(); err == nil {
		t.Error("Monitors() without DISPLAY succeeded")
	}
}
