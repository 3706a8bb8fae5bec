// Package overlay draws the technician's strokes and laser dot on the
// customer's real screen, in a transparent, always-on-top window that lets
// every click through. The platform part sits behind Backend (X11 today);
// Overlay keeps the bounded drawing and hands it to the backend from one
// goroutine.
package overlay

import (
	"fmt"
	"image"
	"image/color"
	"log/slog"
	"math"
	"sync"
)

// Bounds of what an Overlay keeps.
const (
	// MaxStrokes bounds the strokes shown at once.
	MaxStrokes = 1000
	// MaxPoints bounds the points of all strokes together.
	MaxPoints = 50000
	// MaxStrokePoints bounds the points of one stroke.
	MaxStrokePoints = 10000
	// LaserRadius is the laser dot's radius, in pixels.
	LaserRadius = 8
	// MaxCoverage is the share of the screen a drawing may cover. Each part
	// counts as its length times its width, overlaps twice, so the share
	// really covered is at most this.
	MaxCoverage = 0.2
	// SolidWidth is the widest stroke drawn solid: wider ones are striped,
	// so what is under them still shows.
	SolidWidth = 8
)

// Stroke is one freehand line in screen pixels.
type Stroke struct {
	Color  color.RGBA
	Width  int
	Points []image.Point
}

// Backend shows strokes and a laser dot on the screen. An Overlay calls it from
// one goroutine only.
//
// The drawing grows by parts: each new point of a stroke is drawn as a part
// that starts at the stroke's previous point, so the cost of a new point does
// not grow with the drawing.
type Backend interface {
	// Size is the screen's size in pixels.
	Size() (w, h int)
	// Draw adds parts to what is shown: each one a stroke, or the next piece
	// of one starting at its last point shown.
	Draw(parts []Stroke) error
	// Clear erases every stroke.
	Clear() error
	// SetLaser shows the laser dot centred on p, or hides it.
	SetLaser(p image.Point, on bool) error
	// Close removes everything from the screen and releases the backend.
	Close() error
}

// Overlay is what the technician draws on the customer's screen. Its methods
// never block on the backend: changes are picked up by the Overlay's own
// goroutine, newest first. Create it with New and stop it with Close.
type Overlay struct {
	b    Backend
	log  *slog.Logger
	w, h int
	wake chan struct{}
	done chan struct{}
	wg   sync.WaitGroup
	once sync.Once

	mu       sync.Mutex // guards the fields below
	closed   bool
	strokes  []Stroke
	shown    []int          // points of each stroke the backend has drawn
	index    map[string]int // stroke id → index in strokes
	points   int
	area     float64 // pixels the strokes cover, overlaps counted twice
	cleared  bool    // the backend must erase before drawing what is left
	laser    image.Point
	laserOn  bool
	dirtyS   bool // strokes changed since the backend last saw them
	dirtyL   bool // laser changed
	lastErrs int
}

// New starts an Overlay drawing through b. Logger may be nil.
func New(b Backend, log *slog.Logger) *Overlay {
	if log == nil {
		log = slog.Default()
	}
	w, h := b.Size()
	o := &Overlay{b: b, log: log.With("component", "overlay"), w: w, h: h,
		wake: make(chan struct{}, 1), done: make(chan struct{}), index: map[string]int{}}
	o.wg.Add(1)
	go o.run()
	return o
}

// Close erases everything, stops the goroutine and closes the backend. It is idempotent.
func (o *Overlay) Close() error {
	var err error
	o.once.Do(func() {
		o.mu.Lock()
		o.closed = true
		o.mu.Unlock()
		close(o.done)
		o.wg.Wait()
		err = o.b.Close()
	})
	return err
}

// Add appends points (x0, y0, x1, y1, … as fractions of the screen) to the
// stroke id, creating it with c and width if it is new. The stroke's colour and
// width are those of its first message.
func (o *Overlay) Add(id string, c color.RGBA, width int, points []float64) error {
	if len(points)%2 != 0 {
		return fmt.Errorf("overlay: odd number of coordinates")
	}
	n := len(points) / 2
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return ErrClosed
	}
	i, ok := o.index[id]
	if !ok && len(o.strokes) >= MaxStrokes || o.points+n > MaxPoints || ok && len(o.strokes[i].Points)+n > MaxStrokePoints {
		return ErrFull
	}
	var last *image.Point
	if ok && len(o.strokes[i].Points) > 0 {
		last = &o.strokes[i].Points[len(o.strokes[i].Points)-1]
	}
	if ok {
		width = o.strokes[i].Width
	}
	area := o.area + o.cover(last, width, points)
	if area > MaxCoverage*float64(o.w*o.h) {
		return ErrCovered
	}
	if !ok {
		i = len(o.strokes)
		o.index[id] = i
		o.strokes = append(o.strokes, Stroke{Color: c, Width: width})
		o.shown = append(o.shown, 0)
	}
	s := &o.strokes[i]
	for k := 0; k < len(points); k += 2 {
		s.Points = append(s.Points, o.pixel(points[k], points[k+1]))
	}
	o.points += n
	o.area = area
	o.dirtyS = true
	o.poke()
	return nil
}

// Clear erases every stroke.
func (o *Overlay) Clear() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.strokes) == 0 {
		return
	}
	o.strokes, o.shown, o.index, o.points, o.area = nil, nil, map[string]int{}, 0, 0
	o.cleared, o.dirtyS = true, true
	o.poke()
}

// Laser shows the laser dot at (x, y), fractions of the screen.
func (o *Overlay) Laser(x, y float64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.laser, o.laserOn, o.dirtyL = o.pixel(x, y), true, true
	o.poke()
}

// LaserOff hides the laser dot.
func (o *Overlay) LaserOff() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.laserOn {
		o.laserOn, o.dirtyL = false, true
		o.poke()
	}
}

// Reset erases the strokes and hides the laser: what the customer sees when
// they stop sharing their screen.
func (o *Overlay) Reset() {
	o.Clear()
	o.LaserOff()
}

// Strokes returns how many strokes and points the drawing holds.
func (o *Overlay) Strokes() (strokes, points int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.strokes), o.points
}

// Showing reports whether anything is drawn on the screen: a stroke or the laser.
func (o *Overlay) Showing() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.strokes) > 0 || o.laserOn
}

// cover is the area, in pixels, that points (fractions of the screen) add to a
// stroke of width whose last point is last (nil for a new stroke): a dot for
// its first point, then each segment's length times the width. o.mu must be held.
func (o *Overlay) cover(last *image.Point, width int, points []float64) float64 {
	w := float64(max(width, 1))
	var a float64
	for k := 0; k+1 < len(points); k += 2 {
		p := o.pixel(points[k], points[k+1])
		if last == nil {
			a += w * w
		} else {
			a += math.Hypot(float64(p.X-last.X), float64(p.Y-last.Y)) * w
		}
		last = &p
	}
	return a
}

// pixel maps fractions of the screen to a pixel on it.
func (o *Overlay) pixel(x, y float64) image.Point {
	px := int(math.Round(clamp(x) * float64(o.w-1)))
	py := int(math.Round(clamp(y) * float64(o.h-1)))
	return image.Pt(px, py)
}

func clamp(v float64) float64 {
	if !(v >= 0) { // NaN too
		return 0
	}
	return math.Min(v, 1)
}

// poke wakes the goroutine without blocking. o.mu must be held.
func (o *Overlay) poke() {
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// run hands the latest drawing to the backend whenever it changes, and erases
// it at the end.
func (o *Overlay) run() {
	defer o.wg.Done()
	for {
		select {
		case <-o.done:
			o.report(o.b.SetLaser(image.Point{}, false))
			o.report(o.b.Clear())
			return
		case <-o.wake:
		}
		o.mu.Lock()
		parts := o.newPartsLocked()
		cleared, dirtyL, laser, on := o.cleared, o.dirtyL, o.laser, o.laserOn
		o.cleared, o.dirtyS, o.dirtyL = false, false, false
		o.mu.Unlock()
		if cleared {
			o.report(o.b.Clear())
		}
		if len(parts) > 0 {
			o.report(o.b.Draw(parts))
		}
		if dirtyL {
			o.report(o.b.SetLaser(laser, on))
		}
	}
}

// newPartsLocked returns what the backend has not drawn yet, and counts it as
// drawn. Parts share the strokes' points, capped, since Add appends to them
// while the backend draws. o.mu must be held.
func (o *Overlay) newPartsLocked() []Stroke {
	if !o.dirtyS {
		return nil
	}
	var parts []Stroke
	for i, s := range o.strokes {
		n := len(s.Points)
		if o.shown[i] == n {
			continue
		}
		from := max(0, o.shown[i]-1) // continue from the last point shown
		parts = append(parts, Stroke{Color: s.Color, Width: s.Width, Points: s.Points[from:n:n]})
		o.shown[i] = n
	}
	return parts
}

func (o *Overlay) report(err error) {
	if err == nil {
		return
	}
	o.lastErrs++
	if o.lastErrs == 1 || o.lastErrs%100 == 0 {
		o.log.Warn("could not draw on the screen", "err", err, "errors", o.lastErrs)
	}
}
