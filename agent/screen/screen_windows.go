package screen

import (
	"fmt"
	"image"
	"log/slog"
	"sync"

	"github.com/lifeline-support/lifeline/agent/win32"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

var dpiAware sync.Once

// setDPIAware makes the process per-monitor DPI aware before the first
// measure of the screen, so that sizes are physical pixels.
func setDPIAware() { dpiAware.Do(func() { win32.SetDPIAware() }) }

// Monitors lists the monitors: the whole virtual screen first, then each
// monitor (EnumDisplayMonitors, the primary one first) when there are
// several, as rectangles of the virtual screen with its top-left corner at
// 0,0. All are on Screen 0: the capture reads the virtual screen and the
// view crops it.
func Monitors() ([]protocol.Monitor, error) {
	setDPIAware()
	v := win32.VirtualScreen()
	if v.Right <= v.Left || v.Bottom <= v.Top {
		return nil, ErrNoDisplay
	}
	mons := []protocol.Monitor{{Screen: 0, W: int(v.Right - v.Left), H: int(v.Bottom - v.Top)}}
	rects, err := win32.MonitorRects()
	if err != nil || len(rects) < 2 {
		return mons, nil //nolint:nilerr // one monitor, or none listed: the whole screen is all there is
	}
	for _, r := range rects {
		mons = append(mons, protocol.Monitor{Screen: 0, X: int(r.Left - v.Left), Y: int(r.Top - v.Top), W: int(r.Right - r.Left), H: int(r.Bottom - r.Top)})
	}
	if len(mons) > protocol.MaxMonitors {
		mons = mons[:protocol.MaxMonitors]
	}
	return mons, nil
}

// WatchDamage is not available on Windows: Windows does not say what was
// drawn to GDI, so Capture compares each capture with the last one instead
// (a still screen keeps its Seq and costs no conversion nor encoding).
func WatchDamage(*slog.Logger) (*Damage, error) { return nil, ErrNoChanges }

// Damage exists on Windows only so that callers compile; WatchDamage never
// returns one.
type Damage struct{}

// Subscribe returns a closed channel: "capture every frame".
func (d *Damage) Subscribe() (<-chan struct{}, func()) {
	ch := make(chan struct{})
	close(ch)
	return ch, func() {}
}

// Close does nothing.
func (d *Damage) Close() {}

// Grabber captures a monitor with GDI. On Windows all monitors are parts of
// the virtual screen that the main capture reads, so the session rarely
// needs it.
type Grabber struct {
	mu sync.Mutex
}

// Grab captures monitor m into dst (reallocated when its size differs).
func (g *Grabber) Grab(m protocol.Monitor, dst *image.RGBA) (*image.RGBA, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	setDPIAware()
	if m.Screen != 0 {
		return nil, fmt.Errorf("screen: no screen %d", m.Screen)
	}
	v := win32.VirtualScreen()
	s, err := win32.NewScreenshot(m.W, m.H)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoDisplay, err)
	}
	defer s.Close()
	if err := s.Grab(int(v.Left)+m.X, int(v.Top)+m.Y); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoDisplay, err)
	}
	if dst == nil || dst.Rect.Dx() != m.W || dst.Rect.Dy() != m.H {
		dst = image.NewRGBA(image.Rect(0, 0, m.W, m.H))
	}
	toRGBA(dst, s.Pix, m.W, m.H)
	return dst, nil
}

// Close does nothing: each Grab frees what it used.
func (g *Grabber) Close() error { return nil }
