package peer

import (
	"image"
	"image/color"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/mediadevices/pkg/io/video"
)

// The screen reaches the encoder only while video is on.
func TestGateHidesTheScreenWhileVideoIsOff(t *testing.T) {
	screen := image.NewRGBA(image.Rect(0, 0, 64, 32))
	for i := range screen.Pix {
		screen.Pix[i] = 0xff // white
	}
	released := 0
	src := video.ReaderFunc(func() (image.Image, func(), error) {
		return screen, func() { released++ }, nil
	})
	done := make(chan struct{})
	defer close(done)
	g := newGate(false, done)
	var w, h atomic.Int32
	r := gatedReader(src, &w, &h, g, image.Point{})

	img, release, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	release()
	if img.Bounds() != screen.Bounds() || w.Load() != 64 || h.Load() != 32 {
		t.Fatalf("paused frame is %v (%dx%d), want the screen's size", img.Bounds(), w.Load(), h.Load())
	}
	if c := color.RGBAModel.Convert(img.At(10, 10)).(color.RGBA); c.R != 0 || c.G != 0 || c.B != 0 {
		t.Fatalf("paused frame shows %v, want black", c)
	}
	if released != 1 {
		t.Fatalf("the captured frame was released %d times, want 1", released)
	}
	// The second frame, read at once to set the capture up, is black too.
	img, release, err = r.Read()
	if err != nil {
		t.Fatal(err)
	}
	release()
	if c := color.RGBAModel.Convert(img.At(10, 10)).(color.RGBA); c.R != 0 || released != 2 {
		t.Fatalf("second paused frame shows %v (released %d), want black (2)", c, released)
	}

	// Turning video on wakes a waiting reader and lets the screen through.
	go func() { time.Sleep(20 * time.Millisecond); g.set(true) }()
	img, release, err = r.Read()
	if err != nil {
		t.Fatal(err)
	}
	release()
	if c := color.RGBAModel.Convert(img.At(10, 10)).(color.RGBA); c.R != 0xff {
		t.Fatalf("frame with video on shows %v, want the screen", c)
	}
}

// A Peer that closes wakes a reader waiting on a paused gate.
func TestGateWakesOnClose(t *testing.T) {
	done := make(chan struct{})
	g := newGate(false, done)
	got := make(chan bool)
	go func() {
		on, _ := g.wait()
		got <- on
	}()
	close(done)
	select {
	case on := <-got:
		if on {
			t.Fatal("wait reported video on")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("wait did not return after close")
	}
}

// With video off and the screen's size known, the first frame (read while
// the answer to the browser is made) is black without a capture; the screen
// is captured from the next frame on.
func TestGateFirstFrameNeedsNoCapture(t *testing.T) {
	reads := 0
	src := video.ReaderFunc(func() (image.Image, func(), error) {
		reads++
		return image.NewRGBA(image.Rect(0, 0, 64, 32)), func() {}, nil
	})
	done := make(chan struct{})
	defer close(done)
	g := newGate(false, done)
	var w, h atomic.Int32
	r := gatedReader(src, &w, &h, g, image.Pt(64, 32))
	img, _, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	if reads != 0 || img.Bounds() != image.Rect(0, 0, 64, 32) || w.Load() != 64 || h.Load() != 32 {
		t.Fatalf("first frame: %d captures, bounds %v (%dx%d); want none, 64x32", reads, img.Bounds(), w.Load(), h.Load())
	}
	g.set(true)
	if _, _, err := r.Read(); err != nil || reads != 1 {
		t.Fatalf("with video on: %d captures, %v; want 1", reads, err)
	}
}
