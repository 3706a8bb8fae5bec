package screenshot

import (
	"bytes"
	"image/png"
	"testing"

	"github.com/lifeline-support/lifeline/e2e/xvfb"
)

// BenchmarkGrabAndEncode1080p measures reading a 1920×1080 X screen and
// encoding it as the PNG the agent sends (Xvfb's root window pattern).
func BenchmarkGrabAndEncode1080p(b *testing.B) {
	display := xvfb.Start(b, 1920, 1080)
	var size int
	for b.Loop() {
		img, err := GrabX11(display)
		if err != nil {
			b.Fatal(err)
		}
		var buf bytes.Buffer
		if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(size), "png-bytes")
}

// BenchmarkGrab1080p measures reading the screen alone.
func BenchmarkGrab1080p(b *testing.B) {
	display := xvfb.Start(b, 1920, 1080)
	for b.Loop() {
		if _, err := GrabX11(display); err != nil {
			b.Fatal(err)
		}
	}
}
