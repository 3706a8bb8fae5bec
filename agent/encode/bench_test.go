package encode

import (
	"image"
	"math/rand/v2"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pion/mediadevices/pkg/io/video"
	"github.com/pion/mediadevices/pkg/prop"
)

// scrollingText returns a reader of w×h frames of a terminal scrolling by
// lines 13-pixel lines per frame, as in e2e/bench's pattern (60 lines a
// second: 2 a frame at 30 fps, 8 at 7.5 fps): black "glyphs" (a font of 64
// random 5×9 bitmaps) on white.
func scrollingText(w, h, lines int) video.Reader {
	const lineH, glyphW = 13, 6
	rng := rand.New(rand.NewPCG(1, 2))
	var font [64][9][5]bool
	for g := range font {
		for y := range 9 {
			for x := range 5 {
				font[g][y][x] = rng.IntN(3) == 0
			}
		}
	}
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	for i := range img.Cb {
		img.Cb[i], img.Cr[i] = 128, 128
	}
	line := func(y0 int) {
		for y := y0; y < min(h, y0+lineH); y++ {
			for x := range w {
				img.Y[y*img.YStride+x] = 255
			}
		}
		for x := 0; x+glyphW <= w; x += glyphW {
			if rng.IntN(6) == 0 {
				continue // a space
			}
			g := &font[rng.IntN(len(font))]
			for gy := range 9 {
				if y := y0 + 2 + gy; y < h {
					for gx := range 5 {
						if g[gy][gx] {
							img.Y[y*img.YStride+x+gx] = 0
						}
					}
				}
			}
		}
	}
	for y := 0; y < h; y += lineH {
		line(y)
	}
	return video.ReaderFunc(func() (image.Image, func(), error) {
		for range lines {
			copy(img.Y, img.Y[lineH*img.YStride:])
			line(h - lineH)
		}
		return img, func() {}, nil
	})
}

func cpuNow() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkVP8Scroll1080p encodes a scrolling 1080p terminal with several
// settings and reports CPU per frame (so a busy machine matters less) and
// the bytes each frame takes.
func BenchmarkVP8Scroll1080p(b *testing.B) {
	for _, c := range []struct {
		name string
		set  func(*VP8)
	}{
		{"default", func(p *VP8) {}},
		{"default-8-lines", func(p *VP8) {}},
		{"cpu0", func(p *VP8) { p.CPUUsed = 0 }},
		{"cpu8", func(p *VP8) { p.CPUUsed = 8 }},
		{"cpu16", func(p *VP8) { p.CPUUsed = 16 }},
		{"screen-content-1", func(p *VP8) { p.ScreenContent = 1 }},
		{"screen-content-2", func(p *VP8) { p.ScreenContent = 2 }},
		{"threads-2", func(p *VP8) { p.Threads = 2 }},
	} {
		b.Run(c.name, func(b *testing.B) {
			p := DefaultVP8
			p.SkipUnchanged = false
			c.set(&p)
			lines := 2
			if strings.HasSuffix(c.name, "-8-lines") {
				lines = 8
			}
			enc, err := p.BuildVideoEncoder(scrollingText(1920, 1080, lines), prop.Media{Video: prop.Video{Width: 1920, Height: 1080}})
			if err != nil {
				b.Fatal(err)
			}
			defer enc.Close()
			for range 5 { // past the first keyframe
				if _, _, err := enc.Read(); err != nil {
					b.Fatal(err)
				}
			}
			var bytes int
			cpu0, wall0 := cpuNow(), time.Now()
			n := 0
			for b.Loop() {
				f, _, err := enc.Read()
				if err != nil {
					b.Fatal(err)
				}
				bytes += len(f)
				n++
				time.Sleep(time.Millisecond) // let the rate control see time pass
			}
			b.ReportMetric(float64((cpuNow()-cpu0).Microseconds())/1000/float64(n), "cpu_ms/frame")
			b.ReportMetric(float64(time.Since(wall0).Microseconds())/1000/float64(n), "wall_ms/frame")
			b.ReportMetric(float64(bytes)/float64(n)/1000, "kB/frame")
			b.ReportMetric(0, "ns/op")
		})
	}
}

var scrollLines = 8

// BenchmarkVP8SmallChange1080p encodes a still 1080p picture on which only a
// small counter changes (e2e/bench's counter: 32 blocks of 40×40 pixels in
// the bottom strip) and reports CPU per frame: what a small change costs the
// encoder, comparisons with the last picture included.
func BenchmarkVP8SmallChange1080p(b *testing.B) {
	const w, h = 1920, 1080
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	for i := range img.Y {
		img.Y[i] = byte(i * 7 % 251)
	}
	for i := range img.Cb {
		img.Cb[i], img.Cr[i] = 128, 128
	}
	counter := 0
	src := video.ReaderFunc(func() (image.Image, func(), error) {
		counter++
		for blk := range 32 {
			v := byte(0)
			if counter>>(blk%16)&1 == 1 {
				v = 255
			}
			for y := h - 44; y < h-4; y++ {
				for x := 16 + blk*48; x < 16+blk*48+40; x++ {
					img.Y[y*img.YStride+x] = v
				}
			}
		}
		return img, func() {}, nil
	})
	enc, err := DefaultVP8.BuildVideoEncoder(src, prop.Media{Video: prop.Video{Width: w, Height: h}})
	if err != nil {
		b.Fatal(err)
	}
	defer enc.Close()
	for range 5 { // past the first keyframe
		if _, _, err := enc.Read(); err != nil {
			b.Fatal(err)
		}
	}
	var bytes int
	cpu0 := cpuNow()
	n := 0
	for b.Loop() {
		f, _, err := enc.Read()
		if err != nil {
			b.Fatal(err)
		}
		bytes += len(f)
		n++
		time.Sleep(time.Millisecond)
	}
	b.ReportMetric(float64((cpuNow()-cpu0).Microseconds())/1000/float64(n), "cpu_ms/frame")
	b.ReportMetric(float64(bytes)/float64(n)/1000, "kB/frame")
	b.ReportMetric(0, "ns/op")
}
