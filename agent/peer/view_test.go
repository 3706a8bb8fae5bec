package peer

import (
	"image"
	"image/color"
	"log/slog"
	"testing"

	"github.com/pion/mediadevices/pkg/io/video"

	"github.com/lifeline-support/lifeline/agent/screen"
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

var (
	red  = color.RGBA{255, 0, 0, 255}
	blue = color.RGBA{0, 0, 255, 255}
)

// rgbAt is the colour of img at x, y.
func rgbAt(img image.Image, x, y int) color.RGBA {
	return color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
}

// near reports whether a and b differ by at most 8 in each channel (what a
// round trip through I420 changes).
func near(a, b color.RGBA) bool {
	d := func(x, y uint8) bool { return x-y <= 8 || y-x <= 8 }
	return d(a.R, b.R) && d(a.G, b.G) && d(a.B, b.B)
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
	read := func() image.Image {
		t.Helper()
		img, _, err := r.Read()
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := img.(*image.YCbCr); !ok {
			t.Fatalf("the view gave a %T, want I420 for the encoder", img)
		}
		return img
	}

	img := read()
	if img.Bounds().Size() != src.Rect.Size() || !near(rgbAt(img, 0, 0), red) || !near(rgbAt(img, 63, 31), blue) {
		t.Fatalf("auto on the whole screen: %v with %v at 0,0 and %v at 63,31, want 64×32 red then blue",
			img.Bounds(), rgbAt(img, 0, 0), rgbAt(img, 63, 31))
	}

	// The second monitor is the right half: blue only.
	if !v.setMonitor(1) {
		t.Fatal("setMonitor(1) refused")
	}
	img = read()
	if img.Bounds().Dx() != 32 || img.Bounds().Dy() != 32 || !near(rgbAt(img, 0, 0), blue) {
		t.Fatalf("monitor 1 frame is %v with %v at 0,0, want 32×32 blue", img.Bounds(), rgbAt(img, 0, 0))
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
	left, right := rgbAt(img, 0, 0), rgbAt(img, 31, 0)
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

// A capture handed out again (the still-screen reader does so while nothing
// is drawn) is not converted again; a new capture is.
func TestViewConvertsACaptureOnce(t *testing.T) {
	f := &screen.Frame{Rect: image.Rect(0, 0, 64, 32), Stride: 64 * 4, Pix: make([]byte, 64*32*4), Seq: 1}
	paint := func(c color.RGBA) {
		for i := 0; i < len(f.Pix); i += 4 {
			f.Pix[i], f.Pix[i+1], f.Pix[i+2] = c.B, c.G, c.R // B, G, R, X
		}
	}
	paint(red)
	v := newView(&Config{Logger: slog.Default(), BitRate: DefaultBitRate, FrameRate: 1e6})
	r := v.reader(frames(f))
	read := func() image.Image {
		t.Helper()
		img, _, err := r.Read()
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	if c := rgbAt(read(), 10, 10); !near(c, red) {
		t.Fatalf("capture 1 is %v, want red", c)
	}
	paint(blue) // behind the view's back: the same capture, as far as it knows
	if c := rgbAt(read(), 10, 10); !near(c, red) {
		t.Fatalf("capture 1 again is %v, want its first conversion (red)", c)
	}
	f.Seq++
	if c := rgbAt(read(), 10, 10); !near(c, blue) {
		t.Fatalf("capture 2 is %v, want blue", c)
	}
}

// At the capture's own rate every captured frame goes to the encoder, even
// one that comes early: after a late frame the capture takes the next one
// early to keep its beat.
func TestViewPassesEveryFrameAtTheCaptureRate(t *testing.T) {
	n := 0
	src := testFrame()
	counting := video.ReaderFunc(func() (image.Image, func(), error) { n++; return src, func() {}, nil })
	v := newView(&Config{Logger: slog.Default(), BitRate: DefaultBitRate, FrameRate: 30})
	r := v.reader(counting)
	for range 3 { // back to back, well within 1/30 s
		if _, _, err := r.Read(); err != nil {
			t.Fatal(err)
		}
	}
	if n != 3 {
		t.Errorf("read %d source frames for 3 output frames, want none skipped", n)
	}
}

// A monitor on another X screen is grabbed, not captured: its frames are
// masked too (the customer's private windows there), with its screen and
// its place on that screen, before anything reads them.
func TestViewMasksFramesGrabbedFromAnotherScreen(t *testing.T) {
	mon := protocol.Monitor{Screen: 1, X: 10, Y: 20, W: 64, H: 32}
	cfg := &Config{Logger: slog.Default(), BitRate: DefaultBitRate, FrameRate: 1e6, Monitors: []protocol.Monitor{
		{Screen: 0, W: 64, H: 32}, mon,
	}}
	cfg.Grab = func(protocol.Monitor, *image.RGBA) (*image.RGBA, error) { return testFrame(), nil }
	var masked []image.Rectangle
	cfg.Mask = func(screen int, pix []byte, stride int, bounds image.Rectangle) bool {
		if screen != 1 {
			return false // screen 0's frames are masked by the capture source
		}
		masked = append(masked, bounds)
		for i := range pix { // all of it, in grey
			pix[i] = 0x80
		}
		return true
	}
	v := newView(cfg)
	r := v.reader(frames(testFrame()))
	if !v.setMonitor(1) {
		t.Fatal("the monitor on screen 1 is refused")
	}
	img, _, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	if len(masked) != 1 || masked[0] != image.Rect(10, 20, 74, 52) {
		t.Fatalf("masked %v, want screen 1's frame once, at 10,20-74,52", masked)
	}
	if c := rgbAt(img, 5, 5); !near(c, color.RGBA{0x80, 0x80, 0x80, 255}) {
		t.Errorf("the grabbed frame went out unmasked: %v at 5,5", c)
	}
}
