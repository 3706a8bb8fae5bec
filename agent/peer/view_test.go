package peer

import (
	"image"
	"image/color"
	"log/slog"
	"testing"

	"github.com/pion/mediadevices/pkg/io/video"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// testFrame is a 64×32 RGBA frame: red on the left half, blue on the right.
func testFrame() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 64, 32))
	for y := 0; y < 32; y++ {
		for x := 0; x < 64; x++ {
			c := color.RGBA{255, 0, 0, 255}
			if x >= 32 {
				c = color.RGBA{0, 0, 255, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

func frames(img image.Image) video.Reader {
	return video.ReaderFunc(func() (image.Image, func(), error) { return img, func() {}, nil })
}

func TestViewShapesFrames(t *testing.T) {
	src := testFrame()
	cfg := &Config{Logger: slog.Default(), BitRate: DefaultBitRate, FrameRate: 1e6, Monitors: []protocol.Monitor{
		{Screen: 0, X: 0, Y: 0, W: 64, H: 32},
		{Screen: 0, X: 32, Y: 0, W: 32, H: 32},
	}}
	var switched []protocol.Monitor
	cfg.OnMonitor = func(m protocol.Monitor) { switched = append(switched, m) }
	v := newView(cfg)
	r := v.reader(frames(src))
	read := func() *image.RGBA {
		t.Helper()
		img, _, err := r.Read()
		if err != nil {
			t.Fatal(err)
		}
		return img.(*image.RGBA)
	}

	if img := read(); img != src {
		t.Fatalf("auto on the whole screen changed the frame: %v", img.Bounds())
	}

	// The second monitor is the right half: blue only.
	if !v.setMonitor(1) {
		t.Fatal("setMonitor(1) refused")
	}
	img := read()
	if img.Bounds().Dx() != 32 || img.Bounds().Dy() != 32 || img.RGBAAt(0, 0) != (color.RGBA{0, 0, 255, 255}) {
		t.Fatalf("monitor 1 frame is %v with %v at 0,0, want 32×32 blue", img.Bounds(), img.RGBAAt(0, 0))
	}
	if len(switched) != 1 || switched[0].X != 32 {
		t.Errorf("OnMonitor calls = %+v, want the monitor at x=32", switched)
	}
	if v.setMonitor(2) || v.setMonitor(-1) {
		t.Error("setMonitor accepted a monitor that does not exist")
	}

	// Low quality: half size and gray.
	v.setMonitor(0)
	v.setQuality(protocol.QualityLow)
	v.last = v.last.Add(-1e12) // the next frame is due
	img = read()
	if img.Bounds().Dx() != 32 || img.Bounds().Dy() != 16 {
		t.Fatalf("low quality frame is %v, want 32×16", img.Bounds())
	}
	left, right := img.RGBAAt(0, 0), img.RGBAAt(31, 0)
	if left.R != left.G || left.G != left.B || right.R != right.B || left == right {
		t.Errorf("low quality pixels %v and %v, want two different grays", left, right)
	}
	if st := v.state(); st.Quality != protocol.QualityLow || st.Monitor != 0 || len(st.Monitors) != 2 {
		t.Errorf("state = %+v", st)
	}
}

func TestViewFrameRate(t *testing.T) {
	n := 0
	src := testFrame()
	counting := video.ReaderFunc(func() (image.Image, func(), error) { n++; return src, func() {}, nil })
	v := newView(&Config{Logger: slog.Default(), BitRate: DefaultBitRate, FrameRate: 1e6})
	v.setQuality(protocol.QualityLow) // 8 fps
	r := v.reader(counting)
	if _, _, err := r.Read(); err != nil {
		t.Fatal(err)
	}
	before := n
	v.last = v.last.Add(-100e6) // 100 ms ago: not yet due at 8 fps (125 ms)
	// The reader now skips frames until 125 ms·0.9 have passed since the last.
	if _, _, err := r.Read(); err != nil {
		t.Fatal(err)
	}
	if n-before < 2 {
		t.Errorf("read %d source frames for one output frame, want frames skipped", n-before)
	}
}
