package peer

import (
	"image"
	"testing"

	"github.com/lifeline-support/lifeline/agent/encode"
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
