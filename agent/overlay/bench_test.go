package overlay

import (
	"image"
	"image/color"
	"testing"

	"github.com/lifeline-support/lifeline/e2e/xvfb"
)

// BenchmarkX11Laser measures moving the laser dot on a 1920×1080 Xvfb screen
// (one ConfigureWindow and a round trip).
func BenchmarkX11Laser(b *testing.B) {
	x, err := NewX11(xvfb.Start(b, 1920, 1080))
	if err != nil {
		b.Fatal(err)
	}
	defer x.Close()
	i := 0
	for b.Loop() {
		i++
		if err := x.SetLaser(image.Pt(100+i%1000, 100+i%700), true); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkX11NextPoint measures drawing one more point of a stroke on a
// 1920×1080 Xvfb screen that already shows 50 strokes of 200 points (10,000
// points): what each new point costs while the technician draws.
func BenchmarkX11NextPoint(b *testing.B) {
	x, err := NewX11(xvfb.Start(b, 1920, 1080))
	if err != nil {
		b.Fatal(err)
	}
	defer x.Close()
	red := color.RGBA{R: 255, A: 255}
	for i := range 50 {
		pts := make([]image.Point, 200)
		for k := range pts {
			pts[k] = image.Pt(100+k*8, 50+i*20+k%7)
		}
		if err := x.Draw([]Stroke{{Color: red, Width: 4, Points: pts}}); err != nil {
			b.Fatal(err)
		}
	}
	i := 0
	for b.Loop() {
		i++
		p, q := image.Pt(100+i%1600, 1030+i%7), image.Pt(101+i%1600, 1030+(i+1)%7)
		if err := x.Draw([]Stroke{{Color: red, Width: 4, Points: []image.Point{p, q}}}); err != nil {
			b.Fatal(err)
		}
	}
}
