package overlay

import (
	"errors"
	"image"
	"image/color"
	"sync"
	"testing"
	"time"
)

// fakeScreen is a Backend that records what it is asked to show.
type fakeScreen struct {
	mu      sync.Mutex
	strokes []Stroke
	laser   image.Point
	laserOn bool
	calls   int
	closed  bool
	changed chan struct{}
}

func newFake() *fakeScreen { return &fakeScreen{changed: make(chan struct{}, 100)} }

func (f *fakeScreen) Size() (int, int) { return 1001, 501 }
func (f *fakeScreen) SetStrokes(s []Stroke) error {
	f.mu.Lock()
	f.strokes, f.calls = s, f.calls+1
	f.mu.Unlock()
	f.changed <- struct{}{}
	return nil
}
func (f *fakeScreen) SetLaser(p image.Point, on bool) error {
	f.mu.Lock()
	f.laser, f.laserOn, f.calls = p, on, f.calls+1
	f.mu.Unlock()
	f.changed <- struct{}{}
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
	if err := o.Add("s1", color.RGBA{G: 255, A: 255}, 9, []float64{1, 1}); err != nil {
		t.Fatal(err)
	}
	f.until(t, "one stroke of three points", func() bool { return len(f.strokes) == 1 && len(f.strokes[0].Points) == 3 })
	s := f.strokes[0]
	want := []image.Point{{0, 0}, {500, 250}, {1000, 500}}
	for i, p := range want {
		if s.Points[i] != p {
			t.Errorf("point %d = %v, want %v", i, s.Points[i], p)
		}
	}
	if s.Color != red || s.Width != 4 {
		t.Errorf("stroke keeps its first colour and width: got %v %d", s.Color, s.Width)
	}

	o.Laser(0.25, 1)
	f.until(t, "the laser dot", func() bool { return f.laserOn && f.laser == image.Pt(250, 500) })
	o.LaserOff()
	f.until(t, "the laser off", func() bool { return !f.laserOn })

	o.Clear()
	f.until(t, "an empty drawing", func() bool { return len(f.strokes) == 0 })
	if n, p := o.Strokes(); n != 0 || p != 0 {
		t.Fatalf("after Clear: %d strokes, %d points", n, p)
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
