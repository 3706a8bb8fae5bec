package e2e

import (
	"fmt"
	"image"
	"image/png"
	"os"
	"testing"

	"github.com/lifeline-support/lifeline/e2e/testwindow/twtest"
)

// The technician takes a screenshot of the customer's screen: a lossless PNG at
// native resolution, saved by the console, equal pixel for pixel to the X
// framebuffer; the customer's log says so.
func TestScreenshotAndRecording(t *testing.T) {
	stack := Start(t)
	twtest.Start(t, stack.Display, twtest.Options{X: 150, Y: 100, W: 500, H: 300})
	tech := stack.Technician(t)
	downloads := t.TempDir()
	tech.SaveDownloadsTo(t, downloads)
	inv := tech.NewSession(t, "Marie Dupont")
	customer := stack.Customer(t, inv)
	customer.OpenPage(t)
	customer.Allow(t)
	tech.WaitVideo(t)

	// Screenshot of a still screen: the X framebuffer just before and just
	// after must agree, and the PNG must equal it.
	before := stack.Screen(t)
	tech.TakeScreenshot(t)
	after := stack.Screen(t)
	if !samePixels(before, after) {
		t.Fatal("the customer's screen changed during the screenshot; the comparison needs a still screen")
	}
	f, err := os.Open(WaitDownload(t, downloads, ".png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	shot, err := png.Decode(f)
	if err != nil {
		t.Fatalf("the screenshot is not a PNG: %v", err)
	}
	if b := shot.Bounds(); b.Dx() != ScreenW || b.Dy() != ScreenH {
		t.Fatalf("screenshot is %dx%d, the screen %dx%d", b.Dx(), b.Dy(), ScreenW, ScreenH)
	}
	if diff := diffPixels(shot, after); diff != "" {
		t.Fatalf("the screenshot differs from the X framebuffer: %s", diff)
	}
	customer.WaitChat(t, "The technician took a screenshot of your screen")
}

func samePixels(a, b *image.RGBA) bool { return diffPixels(a, b) == "" }

// diffPixels describes how many pixels differ between img and want, and the first one.
func diffPixels(img image.Image, want *image.RGBA) string {
	b := want.Bounds()
	n, first := 0, ""
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			w := want.RGBAAt(x, y)
			if uint8(r>>8) != w.R || uint8(g>>8) != w.G || uint8(bl>>8) != w.B {
				if n == 0 {
					first = fmt.Sprintf("(%d,%d) is %d,%d,%d, want %d,%d,%d", x, y, r>>8, g>>8, bl>>8, w.R, w.G, w.B)
				}
				n++
			}
		}
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%d pixels, first %s", n, first)
}
