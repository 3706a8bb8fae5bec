package e2e

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/lifeline-support/lifeline/e2e/testwindow/twtest"
)

// The technician takes a screenshot of the customer's screen: a lossless PNG at
// native resolution, saved by the console, equal pixel for pixel to the X
// framebuffer. Then they record the session: a WebM file, and the customer is
// told before it starts (banner and log) and when it stops.
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

	// Recording: the customer is told first, then the console records.
	tech.UseTool(t, "record")
	waitFor(t, "the recording under way", func() bool { return tech.Recording(t).State == "recording" })
	customer.WaitChat(t, "The technician started recording the session")
	waitFor(t, "the recording banner on the customer's page", func() bool {
		return strings.Contains(customer.RecordingBanner(t), "The technician is recording this session")
	})
	// Let the recorder hand over some video (a hang guard, not a duration).
	waitFor(t, "recorded video", func() bool { return tech.Recording(t).Bytes > 0 })
	tech.UseTool(t, "record") // stop
	webm := WaitDownload(t, downloads, ".webm")
	customer.WaitChat(t, "The technician stopped recording the session")
	waitFor(t, "the banner gone", func() bool { return customer.RecordingBanner(t) == "" })
	rec := tech.Recording(t)
	want := []string{"notice-start", "told-start", "recorder-start", "recorder-stop", "notice-stop", "told-stop"}
	if strings.Join(rec.Trace, " ") != strings.Join(want, " ") {
		t.Errorf("recording steps %v, want %v (the customer is told before anything is recorded)", rec.Trace, want)
	}
	data, err := os.ReadFile(webm)
	if err != nil {
		t.Fatal(err)
	}
	// A WebM file: an EBML header with DocType "webm", and at least one
	// cluster of media.
	if len(data) < 1024 || !bytes.HasPrefix(data, []byte{0x1a, 0x45, 0xdf, 0xa3}) ||
		!bytes.Contains(data[:64], []byte("webm")) || !bytes.Contains(data, []byte{0x1f, 0x43, 0xb6, 0x75}) {
		t.Fatalf("the recording is not a WebM with media: %d bytes, starts % x", len(data), data[:min(16, len(data))])
	}
	t.Logf("recording: %d bytes", len(data))
	// And a browser plays it: it decodes a picture of the screen's size (the
	// recording may hold a single frame: a short one on a still screen).
	player := stack.tab(t)
	run(t, player, "open the recording", chromedp.Navigate("file://"+webm))
	var played []float64
	waitFor(t, "the recording decoded in a browser", func() bool {
		played = get(t, player, "play the recording", chromedp.Evaluate[[]float64](`(() => {
			const v = document.querySelector("video");
			if (!v) return [0, 0, 0, 0];
			v.muted = true;
			if (v.paused && !v.ended) v.play().catch(() => {});
			return [v.videoWidth, v.videoHeight, v.readyState, v.error ? v.error.code : 0];
		})()`))
		if played[3] != 0 {
			t.Fatalf("the recording does not play: media error %v", played[3])
		}
		return played[2] >= 2 // HAVE_CURRENT_DATA: a frame is decoded
	})
	if int(played[0]) != ScreenW || int(played[1]) != ScreenH {
		t.Errorf("the recording plays at %vx%v, want the screen's %dx%d", played[0], played[1], ScreenW, ScreenH)
	}
	log := customer.WaitChat(t, "stopped recording")
	if strings.Index(log, "started recording") > strings.Index(log, "stopped recording") {
		t.Errorf("the customer's log has the notices out of order:\n%s", log)
	}
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
