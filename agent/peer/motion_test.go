package peer

import (
	"image"
	"image/color"
	"io"
	"log/slog"
	"testing"

	"github.com/pion/mediadevices/pkg/io/video"

	"github.com/lifeline-support/lifeline/agent/encode"
	"github.com/lifeline-support/lifeline/agent/indicator"
)

// Scrolling turns half resolution on after motionEnter frames and off after
// motionLeave still ones; typing (a few rows change) never does; small
// screens are always whole.
func TestMotion(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 1920, 1080))
	paint := func(seed int) {
		for y := range 1080 {
			v := byte((y/13 + seed) * 37)
			row := img.Pix[y*img.Stride : (y+1)*img.Stride]
			for x := range row {
				row[x] = v + byte(x/6)
			}
		}
	}
	var m motion
	frame := func() bool { return m.fast(rgbaPixels(img), img.Bounds()) }
	paint(0)
	if frame() {
		t.Fatal("the first frame is halved")
	}
	var seq []bool
	for i := 1; i <= 4; i++ { // scrolling: every line moves
		paint(i)
		seq = append(seq, frame())
	}
	for range motionLeave + 1 { // still
		seq = append(seq, frame())
	}
	want := []bool{false, true, true, true, true, true, true, true, true, false, false}
	for i := range want {
		if seq[i] != want[i] {
			t.Fatalf("halved frames %v, want %v", seq, want)
		}
	}

	// Typing: one 13-pixel line of text changes at a time.
	for i := range 20 {
		y := 500 + (i%3)*13
		for r := y; r < y+13; r++ {
			img.Pix[r*img.Stride+4*(100+i)] ^= 0xff
		}
		if frame() {
			t.Fatalf("typing frame %d halved", i)
		}
	}

	// A small screen is never halved, moving or not.
	small := image.NewRGBA(image.Rect(0, 0, 1440, 900))
	var ms motion
	for i := range 10 {
		for j := range small.Pix {
			small.Pix[j] = byte(i + j)
		}
		if ms.fast(rgbaPixels(small), small.Bounds()) {
			t.Fatal("a 1440×900 screen was halved")
		}
	}
}

func rgbaPixels(img *image.RGBA) encode.Pixels {
	return encode.Pixels{Pix: img.Pix, Stride: img.Stride, Rect: img.Rect}
}

// Frames the network skips (congestion.Controller.Skip) are still looked at
// for motion. The bench's still desktop was streamed at half size, then
// whole again with a 1080p keyframe (~300 kB) and its refinements, in one
// session out of two: the picture shown at Allow and a change of every row
// a second later (there, the indicator's frame recoloured at "in control"),
// with the frames between them skipped (the first whole picture fills the
// pacer's queue), were taken for two moving frames in a row.
func TestSkippedFramesDoNotMakeAStillScreenMove(t *testing.T) {
	const w, h = 1920, 1080
	black := image.NewRGBA(image.Rect(0, 0, w, h))
	desktop := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			desktop.SetRGBA(x, y, color.RGBA{byte(x / 7), byte(y / 5), 90, 255})
		}
	}
	// A second change of every row: a window opened over the whole screen.
	window := image.NewRGBA(desktop.Rect)
	for i := range window.Pix {
		window.Pix[i] = byte(i/4096) | 0x0f
	}
	// What the view reads: black while viewing is not allowed, the desktop
	// at Allow and again while it stays still, then the window.
	src := []*image.RGBA{black, desktop, desktop, desktop, desktop, window, window, window}
	skipped := map[int]bool{2: true, 3: true, 4: true} // the network is behind
	n := -1
	v := newView(&Config{Logger: slog.Default(), BitRate: DefaultBitRate, FrameRate: 30})
	v.skip = func() bool { return skipped[n] }
	r := v.reader(video.ReaderFunc(func() (image.Image, func(), error) {
		n++
		if n >= len(src) {
			return nil, func() {}, io.EOF
		}
		return src[n], func() {}, nil
	}))
	var sizes []image.Point
	for {
		img, _, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, img.Bounds().Size())
	}
	if len(sizes) != len(src)-len(skipped) {
		t.Fatalf("%d frames sent, want %d", len(sizes), len(src)-len(skipped))
	}
	for i, s := range sizes {
		if s != image.Pt(w, h) {
			t.Fatalf("frame sizes %v: frame %d halved on a screen that changed twice, a second apart", sizes, i)
		}
	}
}

// The indicator's frame around the screen (agent/indicator) changes every
// row when it appears or changes colour, and moves nothing. Shown at Allow
// in the capture right after the desktop's first picture, it made the next
// frames half size (and the return to whole size a 1080p keyframe) on the
// bench's still desktop.
func TestIndicatorFrameIsNotMotion(t *testing.T) {
	const w, h = 1920, 1080
	desktop := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			desktop.SetRGBA(x, y, color.RGBA{byte(x / 7), byte(y / 5), 90, 255})
		}
	}
	framed := func(c color.RGBA) *image.RGBA {
		img := image.NewRGBA(desktop.Rect)
		copy(img.Pix, desktop.Pix)
		for y := range h {
			for x := range w {
				if x < indicator.Frame || x >= w-indicator.Frame || y < indicator.Frame || y >= h-indicator.Frame {
					img.SetRGBA(x, y, c)
				}
			}
		}
		return img
	}
	viewed, controlled := framed(color.RGBA{255, 140, 0, 255}), framed(color.RGBA{220, 0, 0, 255})
	var m motion
	for i, img := range []*image.RGBA{image.NewRGBA(desktop.Rect), desktop, viewed, controlled, viewed, controlled} {
		if m.fast(rgbaPixels(img), img.Bounds()) {
			t.Fatalf("frame %d (black, the desktop, then the indicator's frame in turns) taken for fast motion", i)
		}
	}
}
