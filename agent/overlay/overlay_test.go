package overlay

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"sync"
	"testing"
	"time"
)

// fakeScreen is a Backend that records what it is asked to show: the parts
// drawn since the last Clear.
type fakeScreen struct {
	mu      sync.Mutex
	strokes []Stroke
	clears  int
	laser   image.Point
	laserOn bool
	calls   int
	closed  bool
	changed chan struct{}
}

func newFake() *fakeScreen { return &fakeScreen{changed: make(chan struct{}, 100)} }

func (f *fakeScreen) Size() (int, int) { return 1001, 501 }
func (f *fakeScreen) Draw(parts []Stroke) error {
	f.mu.Lock()
	f.strokes, f.calls = append(f.strokes, parts...), f.calls+1
	f.mu.Unlock()
	f.poke()
	return nil
}
func (f *fakeScreen) Clear() error {
	f.mu.Lock()
	f.strokes, f.clears, f.calls = nil, f.clears+1, f.calls+1
	f.mu.Unlock()
	f.poke()
	return nil
}

// poke wakes a waiting until without ever blocking the Overlay.
func (f *fakeScreen) poke() {
	select {
	case f.changed <- struct{}{}:
	default:
	}
}

// points lists the points drawn, parts joined where they continue each other.
func (f *fakeScreen) points() []image.Point {
	var pts []image.Point
	for _, s := range f.strokes {
		p := s.Points
		if len(pts) > 0 && len(p) > 0 && pts[len(pts)-1] == p[0] {
			p = p[1:]
		}
		pts = append(pts, p...)
	}
	return pts
}
func (f *fakeScreen) SetLaser(p image.Point, on bool) error {
	f.mu.Lock()
	f.laser, f.laserOn, f.calls = p, on, f.calls+1
	f.mu.Unlock()
	f.poke()
	return nil
}
func (f *fakeScreen) Close() error { f.mu.Lock(); f.closed = true; f.mu.Unlock(); return nil }

// until waits for cond on the fake's state, with a hang guard.
func (f *fakeScreen) until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		f.mu.Lock()
		ok := cond()
		f.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-f.changed:
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

var red = color.RGBA{R: 255, A: 255}

func TestOverlayMapsFractionsToPixels(t *testing.T) {
	f := newFake()
	o := New(f, nil)
	defer o.Close()
	if err := o.Add("s1", red, 4, []float64{0, 0, 0.5, 0.5}); err != nil {
		t.Fatal(err)
	}
	f.until(t, "two points", func() bool { return len(f.points()) == 2 })
	if err := o.Add("s1", color.RGBA{G: 255, A: 255}, 9, []float64{1, 1}); err != nil {
		t.Fatal(err)
	}
	f.until(t, "one stroke of three points", func() bool { return len(f.points()) == 3 })
	want := []image.Point{{0, 0}, {500, 250}, {1000, 500}}
	for i, p := range f.points() {
		if p != want[i] {
			t.Errorf("point %d = %v, want %v", i, p, want[i])
		}
	}
	// The new point is drawn as a part from the previous one: only that.
	if last := f.strokes[len(f.strokes)-1]; len(last.Points) != 2 || last.Points[0] != want[1] {
		t.Errorf("the last part is %v, want the segment from %v", last.Points, want[1])
	}
	for _, s := range f.strokes {
		if s.Color != red || s.Width != 4 {
			t.Errorf("stroke keeps its first colour and width: got %v %d", s.Color, s.Width)
		}
	}

	o.Laser(0.25, 1)
	f.until(t, "the laser dot", func() bool { return f.laserOn && f.laser == image.Pt(250, 500) })
	o.LaserOff()
	f.until(t, "the laser off", func() bool { return !f.laserOn })

	o.Clear()
	f.until(t, "an empty drawing", func() bool { return len(f.strokes) == 0 && f.clears == 1 })
	if err := o.Add("s2", red, 2, []float64{0.5, 0}); err != nil {
		t.Fatal(err)
	}
	f.until(t, "a new stroke after Clear", func() bool { return len(f.points()) == 1 })
	if n, p := o.Strokes(); n != 1 || p != 1 {
		t.Fatalf("after Clear and one point: %d strokes, %d points", n, p)
	}
}

func TestOverlayIsBounded(t *testing.T) {
	f := newFake()
	o := New(f, nil)
	defer o.Close()
	pts := make([]float64, 2*200)
	for i := range MaxPoints / 200 {
		if err := o.Add(string(rune('a'+i%26))+string(rune('a'+i/26)), red, 1, pts); err != nil {
			t.Fatalf("stroke %d: %v", i, err)
		}
	}
	if err := o.Add("more", red, 1, []float64{0, 0}); !errors.Is(err, ErrFull) {
		t.Fatalf("a point over MaxPoints: err = %v, want ErrFull", err)
	}
	o.Clear()
	for i := range MaxStrokes {
		if err := o.Add(string(rune(0x100+i)), red, 1, []float64{0, 0}); err != nil {
			t.Fatalf("stroke %d: %v", i, err)
		}
	}
	if err := o.Add("one more", red, 1, []float64{0, 0}); !errors.Is(err, ErrFull) {
		t.Fatalf("a stroke over MaxStrokes: err = %v, want ErrFull", err)
	}
	if err := o.Add("odd", red, 1, []float64{0}); err == nil {
		t.Fatal("accepted an odd number of coordinates")
	}
}

func TestOverlayCloseErasesAndClosesTheBackend(t *testing.T) {
	f := newFake()
	o := New(f, nil)
	_ = o.Add("s", red, 2, []float64{0.1, 0.1})
	o.Laser(0.5, 0.5)
	f.until(t, "drawn", func() bool { return len(f.strokes) == 1 && f.laserOn })
	o.Close()
	o.Close() // idempotent
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.strokes) != 0 || f.laserOn || !f.closed {
		t.Fatalf("after Close: %d strokes, laser %v, closed %v", len(f.strokes), f.laserOn, f.closed)
	}
	if err := o.Add("late", red, 2, []float64{0, 0}); !errors.Is(err, ErrClosed) {
		t.Fatalf("Add after Close: %v", err)
	}
}

// A drawing cannot paint the customer's screen over: wide strokes side by side
// and one long zigzag are both refused once they would cover MaxCoverage of
// the screen, and erasing lets the technician draw again.
func TestDrawingCoverageIsCapped(t *testing.T) {
	f := newFake()
	o := New(f, nil)
	defer o.Close()
	w, h := f.Size()
	const width = 32
	// Horizontal bands, each width pixels high, side by side down the screen.
	rows := 0
	var refused error
	for k := 0; (k+1)*width <= h; k++ {
		y := (float64(k*width) + width/2) / float64(h-1)
		if err := o.Add(fmt.Sprint("band", k), color.RGBA{B: 255, A: 255}, width, []float64{0, y, 1, y}); err != nil {
			refused = err
			break
		}
		rows += width
	}
	if refused == nil {
		t.Fatalf("every band was drawn: %d%% of the screen covered", 100*rows/h)
	}
	if !errors.Is(refused, ErrCovered) {
		t.Fatalf("refused with %v, want ErrCovered", refused)
	}
	if cover := float64(rows) / float64(h); cover > MaxCoverage {
		t.Errorf("bands cover %.0f%% of the screen before a refusal", 100*cover)
	}

	// One stroke growing back and forth is counted as it grows.
	o.Clear()
	var pts []float64
	for k := range 200 {
		pts = append(pts, float64(k%2), float64(k)/200)
	}
	drawn := 0
	for i := 0; i < len(pts); i += 4 {
		if o.Add("zigzag", color.RGBA{B: 255, A: 255}, width, pts[i:i+4]) != nil {
			break
		}
		drawn += 2
	}
	if area := drawn * width * w; float64(area) > MaxCoverage*float64(w*h)+float64(2*width*w) {
		t.Errorf("a zigzag of %d points (about %d%% of the screen) was drawn", drawn, 100*area/(w*h))
	}

	o.Clear()
	if err := o.Add("again", color.RGBA{B: 255, A: 255}, width, []float64{0, 0.5, 1, 0.5}); err != nil {
		t.Errorf("after erasing, a stroke is refused: %v", err)
	}
}
