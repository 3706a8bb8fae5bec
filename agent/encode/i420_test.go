package encode

import (
	"image"
	"math/rand/v2"
	"testing"
)

// reference is ToI420 written plainly: average the source pixels of each
// output pixel, BT.601 full range, chroma from the 2×2 block's mean colour.
func reference(src Pixels, s Shape) *image.YCbCr {
	step := 1
	if s.Half {
		step = 2
	}
	size := s.Size()
	out := image.NewYCbCr(image.Rectangle{Max: size}, image.YCbCrSubsampleRatio420)
	px := func(ox, oy int) (r, g, b int) {
		var c [3]int
		for dy := range step {
			for dx := range step {
				o := src.Offset(s.Crop.Min.X+ox*step+dx, s.Crop.Min.Y+oy*step+dy)
				for k := range 3 {
					c[k] += int(src.Pix[o+k])
				}
			}
		}
		n := step * step
		for k := range 3 {
			c[k] = (c[k] + n/2) / n
		}
		if src.BGR {
			return c[2], c[1], c[0]
		}
		return c[0], c[1], c[2]
	}
	for oy := 0; oy < size.Y; oy += 2 {
		for ox := 0; ox < size.X; ox += 2 {
			var sr, sg, sb int
			for _, d := range []image.Point{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
				r, g, b := px(ox+d.X, oy+d.Y)
				out.Y[out.YOffset(ox+d.X, oy+d.Y)] = uint8((77*r + 150*g + 29*b) >> 8)
				sr, sg, sb = sr+r, sg+g, sb+b
			}
			ci := out.COffset(ox, oy)
			if s.Gray {
				out.Cb[ci], out.Cr[ci] = 128, 128
				continue
			}
			out.Cb[ci] = uint8((-43*sr - 85*sg + 128*sb + 0x20000) >> 10)
			out.Cr[ci] = uint8((128*sr - 107*sg - 21*sb + 0x20000) >> 10)
		}
	}
	return out
}

func TestToI420MatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	// A picture with its own origin and a stride wider than its rows, as
	// X11 images and sub-images have.
	src := Pixels{Rect: image.Rect(10, 20, 10+101, 20+77), Stride: 101*4 + 12}
	src.Pix = make([]byte, src.Stride*77)
	for i := range src.Pix {
		src.Pix[i] = byte(rng.IntN(256))
	}
	for _, bgr := range []bool{false, true} {
		for _, s := range []Shape{
			{Crop: src.Rect},
			{Crop: image.Rect(13, 21, 13+50, 21+31), Gray: true},
			{Crop: src.Rect, Half: true},
			{Crop: image.Rect(11, 25, 11+63, 25+41), Half: true, Gray: true},
		} {
			src.BGR = bgr
			got := ToI420(nil, src, s)
			want := reference(src, s)
			if got == nil {
				t.Fatalf("bgr %v, %+v: nil", bgr, s)
			}
			if got.Rect != want.Rect {
				t.Fatalf("bgr %v, %+v: size %v, want %v", bgr, s, got.Rect, want.Rect)
			}
			for name, planes := range map[string][2][]byte{"Y": {got.Y, want.Y}, "Cb": {got.Cb, want.Cb}, "Cr": {got.Cr, want.Cr}} {
				for i := range planes[1] {
					if planes[0][i] != planes[1][i] {
						t.Fatalf("bgr %v, %+v: %s[%d] = %d, want %d", bgr, s, name, i, planes[0][i], planes[1][i])
					}
				}
			}
			// Converting again into the same picture reuses it.
			if again := ToI420(got, src, s); again != got {
				t.Errorf("bgr %v, %+v: a picture of the right size was not reused", bgr, s)
			}
		}
	}
}

// Known colours come out as the encoder's viewers expect them: white, black
// and pure red in BT.601 full range, the same from RGBX and BGRX memory.
func TestToI420Colours(t *testing.T) {
	for _, c := range []struct {
		r, g, b   byte
		y, cb, cr byte
	}{
		{255, 255, 255, 255, 128, 128},
		{0, 0, 0, 0, 128, 128},
		{255, 0, 0, 76, 85, 255},
	} {
		for _, bgr := range []bool{false, true} {
			src := Pixels{Rect: image.Rect(0, 0, 4, 4), Stride: 16, Pix: make([]byte, 64), BGR: bgr}
			for i := 0; i < 64; i += 4 {
				src.Pix[i], src.Pix[i+1], src.Pix[i+2] = c.r, c.g, c.b
				if bgr {
					src.Pix[i], src.Pix[i+2] = c.b, c.r
				}
			}
			out := ToI420(nil, src, Shape{Crop: src.Rect})
			if out.Y[0] != c.y || out.Cb[0] != c.cb || out.Cr[0] != c.cr {
				t.Errorf("rgb %d,%d,%d (bgr %v): YCbCr %d,%d,%d, want %d,%d,%d", c.r, c.g, c.b, bgr, out.Y[0], out.Cb[0], out.Cr[0], c.y, c.cb, c.cr)
			}
		}
	}
}

// A crop outside the picture, or too small to convert, gives nil rather
// than reading past the pixels.
func TestToI420RefusesBadCrops(t *testing.T) {
	src := Pixels{Rect: image.Rect(0, 0, 8, 8), Stride: 32, Pix: make([]byte, 256)}
	for _, crop := range []image.Rectangle{image.Rect(4, 4, 12, 12), image.Rect(-1, 0, 8, 8), image.Rect(0, 0, 1, 8)} {
		if out := ToI420(nil, src, Shape{Crop: crop}); out != nil {
			t.Errorf("crop %v: got a picture", crop)
		}
	}
	short := Pixels{Rect: image.Rect(0, 0, 8, 8), Stride: 32, Pix: make([]byte, 200)}
	if out := ToI420(nil, short, Shape{Crop: short.Rect}); out != nil {
		t.Error("pixels shorter than the picture: got a picture")
	}
}

func BenchmarkToI420At1080p(b *testing.B) {
	src := Pixels{Rect: image.Rect(0, 0, 1920, 1080), Stride: 1920 * 4, Pix: make([]byte, 1920*1080*4), BGR: true}
	for i := range src.Pix {
		src.Pix[i] = byte(i * 7)
	}
	for _, s := range []struct {
		name  string
		shape Shape
	}{{"full", Shape{Crop: src.Rect}}, {"half", Shape{Crop: src.Rect, Half: true}}} {
		b.Run(s.name, func(b *testing.B) {
			dst := ToI420(nil, src, s.shape)
			for b.Loop() {
				ToI420(dst, src, s.shape)
			}
		})
	}
}
