package e2e

import (
	"image"
	"testing"
)

// The technician draws on the customer's real screen and points with a laser
// dot; the strokes show in the X server's framebuffer where they were drawn,
// and in the console, and go on Erase. While a tool is on, nothing the
// technician does reaches the customer's computer as input, even with control.
func TestWhiteboardAndLaser(t *testing.T) {
	stack := Start(t)
	tech := stack.Technician(t)
	inv := tech.NewSession(t, "Marie Dupont")
	customer := stack.Customer(t, inv)
	customer.OpenPage(t)
	customer.Allow(t)
	tech.WaitVideo(t)
	tech.RequestControl(t)
	customer.Allow(t)
	tech.WaitStatus(t, "in control")
	tech.WaitToolsReady(t)

	// Draw a horizontal line across the customer's screen.
	tech.UseTool(t, "draw-mode")
	sent := tech.InputSent(t)
	from, to := image.Pt(200, 300), image.Pt(700, 300)
	tech.Drag(t, from, to, 20)
	onLine := []image.Point{{250, 300}, {450, 300}, {650, 300}}
	offLine := []image.Point{{450, 340}, {900, 300}, {450, 250}}
	waitFor(t, "the stroke on the customer's screen", func() bool {
		scr := stack.Screen(t)
		for _, p := range onLine {
			if !IsRed(scr.RGBAAt(p.X, p.Y)) {
				return false
			}
		}
		return true
	})
	scr := stack.Screen(t)
	for _, p := range offLine {
		if IsRed(scr.RGBAAt(p.X, p.Y)) {
			t.Errorf("pixel %v away from the stroke is red on the customer's screen", p)
		}
	}
	for _, p := range onLine {
		if c := tech.CanvasPixel(t, p.X, p.Y); !IsRed(c) || c.A < 200 {
			t.Errorf("the console's canvas shows %v at %v, want the red stroke", c, p)
		}
	}
	tech.Shot(t, "draw-stroke")

	// Erase drawings: gone on both sides.
	tech.UseTool(t, "draw-erase")
	waitFor(t, "the stroke erased from the customer's screen", func() bool {
		scr := stack.Screen(t)
		for _, p := range onLine {
			if IsRed(scr.RGBAAt(p.X, p.Y)) {
				return false
			}
		}
		return true
	})
	if c := tech.CanvasPixel(t, 450, 300); c.A != 0 {
		t.Errorf("the console's canvas still shows %v after Erase", c)
	}

	// The laser dot follows the pointer.
	tech.UseTool(t, "laser-mode")
	a, b := image.Pt(300, 200), image.Pt(900, 500)
	tech.Hover(t, a)
	waitFor(t, "the laser dot at the first place", func() bool { return IsRed(stack.Screen(t).RGBAAt(a.X, a.Y)) })
	tech.Hover(t, b)
	waitFor(t, "the laser dot at the second place", func() bool {
		scr := stack.Screen(t)
		return IsRed(scr.RGBAAt(b.X, b.Y)) && !IsRed(scr.RGBAAt(a.X, a.Y))
	})
	tech.UseTool(t, "laser-mode") // off
	waitFor(t, "the laser dot gone", func() bool { return !IsRed(stack.Screen(t).RGBAAt(b.X, b.Y)) })

	if got := tech.InputSent(t); got != sent {
		t.Errorf("the console sent %d input events while a tool was on", got-sent)
	}
}
