package peer

import (
	"image"
	"log/slog"
	"testing"
	"time"

	"github.com/pion/mediadevices/pkg/io/video"

	"github.com/lifeline-support/lifeline/agent/congestion"
)

// The rule that sets the frame rate: a small change (at most smallShare of
// the picture) may be followed at smallFPS, a large one keeps the frame
// rate's cap, and neither goes faster than the preset or the network allow
// (on a link that is the limit, extra frames would only queue).
func TestCaptureInterval(t *testing.T) {
	full := 30.0
	fast, capped := time.Second/smallFPS, time.Second/30
	tests := []struct {
		name        string
		changed     float64
		fps         float64
		constrained bool
		want        time.Duration
	}{
		{"nothing changed", 0, full, false, fast},
		{"a counter: 3 % of the picture", 0.03, full, false, fast},
		{"just small enough", smallShare, full, false, fast},
		{"a window's worth", 0.25, full, false, capped},
		{"scrolling: all of it", 1, full, false, capped},
		{"small, but the preset or the network caps the rate", 0.03, 15, false, capped},
		{"small, but the network is the limit", 0.03, full, true, capped},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := captureInterval(tt.changed, tt.fps, full, tt.constrained); got != tt.want {
				t.Errorf("captureInterval(%v, %v, %v, %v) = %v, want %v", tt.changed, tt.fps, full, tt.constrained, got, tt.want)
			}
		})
	}
}

// The motion watch measures how much of the picture a frame changed: a
// frame counter or a line typed is a small share, a scrolled screen all of
// it, in screens of any size (small ones are never halved but still
// measured).
func TestMotionChangedShare(t *testing.T) {
	for _, size := range []image.Point{{1920, 1080}, {1280, 720}} {
		img := image.NewRGBA(image.Rectangle{Max: size})
		paint := func(seed int) {
			for y := range size.Y {
				v := byte((y/13 + seed) * 37)
				row := img.Pix[y*img.Stride : (y+1)*img.Stride]
				for x := range row {
					row[x] = v + byte(x/6)
				}
			}
		}
		var m motion
		frame := func() float64 {
			m.fast(rgbaPixels(img), img.Bounds())
			return m.changed
		}
		paint(0)
		if got := frame(); got != 1 {
			t.Errorf("%v: first frame: changed %.3f, want 1 (unknown)", size, got)
		}
		if got := frame(); got != 0 {
			t.Errorf("%v: the same frame again: changed %.3f, want 0", size, got)
		}
		// A counter: 40 rows of 600 pixels at the bottom.
		for y := size.Y - 44; y < size.Y-4; y++ {
			for x := 16; x < 616; x++ {
				img.Pix[y*img.Stride+4*x] ^= 0xff
			}
		}
		if got := frame(); got <= 0 || got > smallShare {
			t.Errorf("%v: a counter: changed %.3f, want a small change (0, %v]", size, got, smallShare)
		}
		// A letter typed: 13 rows of 6 pixels.
		for y := 500; y < 513; y++ {
			for x := 100; x < 106; x++ {
				img.Pix[y*img.Stride+4*x] ^= 0xff
			}
		}
		if got := frame(); got > smallShare/10 {
			t.Errorf("%v: a letter: changed %.3f, want at most %.3f", size, got, smallShare/10)
		}
		paint(1) // scrolled: every line moved
		if got := frame(); got < 0.9 {
			t.Errorf("%v: scrolled: changed %.3f, want the whole picture", size, got)
		}
	}
}

func TestChangedSpan(t *testing.T) {
	a := make([]byte, 300)
	b := make([]byte, 300)
	if got := changedSpan(a, b); got != 0 {
		t.Errorf("equal rows: span %d, want 0", got)
	}
	b[70] = 1
	if got := changedSpan(a, b); got != 1 {
		t.Errorf("one byte: span %d, want 1", got)
	}
	b[299] = 1
	if got := changedSpan(a, b); got != 230 {
		t.Errorf("bytes 70 and 299: span %d, want 230", got)
	}
	b[0] = 1
	if got := changedSpan(a, b); got != 300 {
		t.Errorf("bytes 0 and 299: span %d, want 300", got)
	}
}

// The view tells the capture when to take the next frame: soon after a
// small change, at the frame rate after a large one, one it cannot measure
// (the first), or any on a link slower than the preset's bit rate.
func TestViewPacesTheCapture(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 640, 360))
	var change func()
	src := video.ReaderFunc(func() (image.Image, func(), error) { change(); return img, func() {}, nil })
	v := newView(&Config{Logger: slog.Default(), BitRate: DefaultBitRate, FrameRate: 30})
	var got []time.Duration
	v.pace = func(d time.Duration) { got = append(got, d) }
	var estimate int // the bandwidth estimate, 0 for none
	v.limits = func() congestion.Limits { return congestion.Limits{BitRate: estimate} }
	r := v.reader(src)
	steps := []struct {
		name   string
		change func()
		want   time.Duration
	}{
		{"the first frame", func() {}, time.Second / 30},
		{"a letter typed", func() { img.Pix[4*(200*640+100)] ^= 0xff }, time.Second / smallFPS},
		{"nothing", func() {}, time.Second / smallFPS},
		{"a letter typed on a slow link", func() { estimate = DefaultBitRate / 2; img.Pix[4*(200*640+106)] ^= 0xff }, time.Second / 30},
		{"a letter typed on a fast link", func() { estimate = DefaultBitRate * 2; img.Pix[4*(200*640+112)] ^= 0xff }, time.Second / smallFPS},
		{"all of it", func() {
			for i := range img.Pix {
				img.Pix[i] += 40
			}
		}, time.Second / 30},
	}
	for _, s := range steps {
		change = s.change
		if _, _, err := r.Read(); err != nil {
			t.Fatal(err)
		}
		if d := got[len(got)-1]; d != s.want {
			t.Errorf("after %s: next capture in %v, want %v", s.name, d, s.want)
		}
	}
}
