package screen

import (
	"bytes"
	"fmt"
	"image"
	"sync"
	"time"

	"github.com/lifeline-support/lifeline/agent/win32"
)

// blockRows is the height of the bands Read compares with the last capture.
const blockRows = 16

// A screen unchanged for idleAfter is captured every idleInterval instead of
// at the frame rate: GDI cannot tell what changed, so a still screen is
// still read, but ten times a second rather than thirty. The first change
// after a still spell shows up to idleInterval later.
const (
	idleAfter    = 500 * time.Millisecond
	idleInterval = 100 * time.Millisecond
)

// Capture reads the Windows virtual screen (every monitor) with GDI BitBlt
// into a DIB section, and compares each capture with the last one band by
// band: an unchanged screen keeps its Seq, so the view converts nothing and
// the encoder sends nothing. It follows the virtual screen's size. While the
// screen cannot be read, Read says why: ErrLocked, ErrSecureDesktop or
// ErrUnreadable.
//
// DXGI Desktop Duplication (dirty rectangles, cheaper on real Windows) is not
// written yet; Wine, where the agent is tested, has none.
type Capture struct {
	interval time.Duration

	mu     sync.Mutex // one Read at a time; Close waits for it
	shot   *win32.Screenshot
	origin image.Point // the virtual screen's top-left corner
	prev   []byte      // the last capture's pixels, to compare with
	change time.Time   // when a capture last differed from the one before
	frame  Frame
	next   time.Time
	closed bool
	// grab, if set, replaces the BitBlt (tests make it fail, as a locked
	// workstation does).
	grab func(x, y int) error
}

// OpenCapture opens the virtual screen for capture at most fps times a
// second. n must be 0: Windows has one virtual screen.
func OpenCapture(n int, fps float64) (*Capture, error) {
	if n != 0 {
		return nil, fmt.Errorf("screen: no screen %d", n)
	}
	if fps <= 0 {
		return nil, fmt.Errorf("screen: capture rate %v", fps)
	}
	setDPIAware()
	c := &Capture{interval: time.Duration(float64(time.Second) / fps)}
	if err := c.resize(); err != nil {
		return nil, err
	}
	return c, nil
}

// resize makes the DIB section the size of the virtual screen now.
func (c *Capture) resize() error {
	v := win32.VirtualScreen()
	w, h := int(v.Right-v.Left), int(v.Bottom-v.Top)
	if w <= 0 || h <= 0 {
		return ErrNoDisplay
	}
	c.origin = image.Pt(int(v.Left), int(v.Top))
	if c.shot != nil && c.shot.W == w && c.shot.H == h {
		return nil
	}
	if c.shot != nil {
		c.shot.Close()
		c.shot = nil
	}
	s, err := win32.NewScreenshot(w, h)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNoDisplay, err)
	}
	c.shot = s
	c.prev = nil
	c.frame.Pix, c.frame.Stride, c.frame.Rect = s.Pix, w*4, image.Rect(0, 0, w, h)
	return nil
}

// Read waits for the next capture time (the frame rate's pace, counted from
// the last Read when it came late) and captures the screen. The frame is
// valid until the next Read or Close.
func (c *Capture) Read() (*Frame, error) {
	c.waitTurn()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, ErrClosed
	}
	now := c.advance()
	if err := c.resize(); err != nil {
		return nil, err
	}
	grab := c.shot.Grab
	if c.grab != nil {
		grab = c.grab
	}
	if err := grab(c.origin.X, c.origin.Y); err != nil {
		// Locked, or the secure desktop of a UAC prompt: say which. The
		// caller keeps the video going (agent/peer shows a still picture
		// and tells the technician why).
		c.prev = nil // the next readable capture counts as changed
		return nil, fmt.Errorf("%w (%v)", inputBlocked(), err)
	}
	if c.changed() {
		c.frame.Seq++
		c.change = now
	} else if now.Sub(c.change) > idleAfter {
		c.next = now.Add(max(c.interval, idleInterval))
	}
	return &c.frame, nil
}

// changed compares the capture with the last one band by band, copies the
// bands that differ and reports whether any did.
func (c *Capture) changed() bool {
	pix := c.shot.Pix
	if c.prev == nil {
		c.prev = bytes.Clone(pix)
		return true
	}
	band := blockRows * c.frame.Stride
	any := false
	for i := 0; i < len(pix); i += band {
		j := min(i+band, len(pix))
		if !bytes.Equal(pix[i:j], c.prev[i:j]) {
			copy(c.prev[i:j], pix[i:j])
			any = true
		}
	}
	return any
}

// Close frees the GDI objects. It is safe to call more than once.
func (c *Capture) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	if c.shot != nil {
		c.shot.Close()
		c.shot = nil
	}
	c.frame.Pix = nil
	return nil
}

// inputBlocked says why the screen cannot be read now, from the input
// desktop's name and the session's lock state (see blockedBy).
func inputBlocked() error {
	name, err := win32.InputDesktopName()
	if err != nil {
		name = "" // not ours to open: Winlogon's
	}
	lock := lockUnknown
	if locked, known := win32.SessionLocked(); known {
		lock = sessionUnlocked
		if locked {
			lock = sessionLocked
		}
	}
	return blockedBy(name, lock)
}
