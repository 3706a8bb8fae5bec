package bench

import (
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/agent/privacy"
	"github.com/lifeline-support/lifeline/agent/screen"
	"github.com/lifeline-support/lifeline/e2e/testwindow/twtest"
	"github.com/lifeline-support/lifeline/e2e/xvfb"
	"github.com/lifeline-support/lifeline/shared/i18n"
)

// BenchmarkPrivacy measures what masking a private window costs per frame
// on a 1920×1080 Xvfb: the agent's real X11 desktop and capture, a
// 1000×700 test window marked private, and 300 captured frames, each
// masked as the agent does (one X round trip, then the paint).
func BenchmarkPrivacy(b *testing.B) {
	display := xvfb.Start(b, 1920, 1080)
	b.Setenv("DISPLAY", display)
	twtest.Start(b, display, twtest.Options{X: 200, Y: 150, W: 1000, H: 700})
	d, err := privacy.NewX11(display)
	if err != nil {
		b.Fatal(err)
	}
	p := privacy.New(privacy.Config{Desktop: d, Lang: i18n.EN})
	defer p.Close()
	ws, err := p.Windows()
	if err != nil {
		b.Fatal(err)
	}
	for _, w := range ws {
		if w.Title == "lifeline-testwindow" {
			if err := p.SetPrivate(w.ID, true); err != nil {
				b.Fatal(err)
			}
		}
	}
	c, err := screen.OpenCapture(0, 1000, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	var ms []float64
	for range 300 {
		f, err := c.Read()
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		p.Mask(f.Pix, f.Stride, f.Rect)
		ms = append(ms, float64(time.Since(start).Microseconds())/1000)
	}
	set := func(key string, v float64) { results.Set(key, v); b.ReportMetric(v, key) }
	set("mask_ms_1080p_p50", median(ms))
	set("mask_ms_1080p_p95", percentileOf(ms, 95))
}
