package screen

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
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

// sizeCheckEvery is how often Read asks the virtual screen's size: four
// GetSystemMetrics calls, which cost more than the BitBlt itself under Wine
// 8 (6–11 ms against 1–2 ms for 1280×720, BenchmarkCaptureGDI). A monitor
// added or resized shows up at most this late.
const sizeCheckEvery = time.Second

// desktopCheckEvery is how often Read asks which desktop receives input
// while the screen is the customer's (a few microseconds each time).
const desktopCheckEvery = time.Second

// Capture reads the Windows virtual screen (every monitor). It uses DXGI
// Desktop Duplication when Windows offers it: Windows tells which
// rectangles changed, only those are copied, and the cursor is drawn in. On
// any DXGI failure (a remote session, an old driver, monitors on two
// graphics adapters, Wine) it reads the screen with GDI BitBlt into a DIB
// section instead, for good, and logs why once; GDI captures are compared
// with the last one band by band. Either way an unchanged screen keeps its
// Seq, so the view converts nothing and the encoder sends nothing. It
// follows the virtual screen's size. While the screen cannot be read, Read
// says why: ErrLocked, ErrSecureDesktop or ErrUnreadable. That includes
// the time another desktop receives input (the lock screen, a UAC prompt):
// the capture may still return pixels then (a stale or black picture of
// the user's desktop), so Read asks which desktop receives input once a
// second, and at every Read until the user's desktop is back.
type Capture struct {
	interval time.Duration
	log      *slog.Logger

	dup *duplicator // DXGI Desktop Duplication; nil: GDI

	mu     sync.Mutex // one Read at a time; Close waits for it
	shot   *win32.Screenshot
	origin image.Point // the virtual screen's top-left corner
	prev   []byte      // the last capture's pixels, to compare with
	change time.Time   // when a capture last differed from the one before
	frame  Frame
	next   time.Time
	closed bool
	own    string    // the desktop this process reads ("Default")
	asked  time.Time // when Read last asked which desktop receives input
	sized  time.Time // when Read last asked the virtual screen's size
	away   error     // why another desktop receives input; nil: ours does
	// grab, if set, replaces the BitBlt (tests make it fail, as a locked
	// workstation does).
	grab func(x, y int) error
}

// OpenCapture opens the virtual screen for capture at most fps times a
// second. n must be 0: Windows has one virtual screen. log (nil:
// slog.Default()) hears which way the screen is read.
func OpenCapture(n int, fps float64, log *slog.Logger) (*Capture, error) {
	if n != 0 {
		return nil, fmt.Errorf("screen: no screen %d", n)
	}
	if fps <= 0 {
		return nil, fmt.Errorf("screen: capture rate %v", fps)
	}
	if log == nil {
		log = slog.Default()
	}
	setDPIAware()
	c := &Capture{interval: time.Duration(float64(time.Second) / fps), log: log, own: desktopDefault}
	if name, err := queryOwnDesktop(); err == nil && name != "" {
		c.own = name
	}
	var dup *duplicator
	err := errNoDuplication
	if !noDuplication.Load() {
		dup, err = openDuplicator()
	}
	if err != nil && err != errNoDuplication && !errors.Is(err, win32.ErrNotNow) && !errors.Is(err, win32.ErrAccessLost) {
		noDuplication.Store(true) // for good: later sessions skip it
	}
	if err == nil {
		c.dup = dup
		c.useDuplicator()
		log.Info("screen: capturing with DXGI Desktop Duplication", "outputs", len(dup.d.Outputs))
		return c, nil
	}
	c.fallBack(err)
	if err := c.resize(); err != nil {
		return nil, err
	}
	return c, nil
}

// noDuplication is set once DXGI Desktop Duplication failed in a way that
// lasts (not implemented, an old driver): later captures go straight to GDI
// (creating a Direct3D device costs ~0.5 s under Wine).
var noDuplication atomic.Bool

// errNoDuplication is why a capture after a lasting failure uses GDI.
var errNoDuplication = errors.New("screen: DXGI Desktop Duplication failed before")

// fallbackLogged makes the fall back to GDI logged once per process, not
// once per session.
var fallbackLogged sync.Once

// fallBack gives up DXGI Desktop Duplication for GDI, because of err.
func (c *Capture) fallBack(err error) {
	if c.dup != nil {
		c.dup.close()
		c.dup = nil
	}
	c.prev = nil // the first GDI capture counts as changed
	fallbackLogged.Do(func() {
		c.log.Warn("screen: DXGI Desktop Duplication is not available; capturing with GDI", "err", err)
	})
}

// useDuplicator hands out the duplicator's composed screen.
func (c *Capture) useDuplicator() {
	comp := &c.dup.comp
	c.frame.Pix, c.frame.Stride, c.frame.Rect = comp.out, comp.stride, comp.rect
}

// fitScreen makes the DIB section the size of the virtual screen, asking
// that size at most once per sizeCheckEvery. c.mu must be held.
func (c *Capture) fitScreen(now time.Time) error {
	if c.shot != nil && now.Sub(c.sized) < sizeCheckEvery {
		return nil
	}
	if err := c.resize(); err != nil {
		return err
	}
	c.sized = now
	return nil
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
	if err := c.inputElsewhere(now); err != nil {
		c.prev = nil // the next readable capture counts as changed
		return nil, err
	}
	var dupErr error
	if c.dup != nil {
		changed, err := c.dup.read()
		if errors.Is(err, errResized) {
			c.dup.close()
			if c.dup, err = openDuplicator(); err == nil {
				changed, err = c.dup.read()
			}
		}
		if err == nil {
			c.useDuplicator() // the frame may have been GDI's while DXGI was lost
			if changed {
				c.frame.Seq++
			}
			return &c.frame, nil
		}
		dupErr = err
	}
	if err := c.fitScreen(now); err != nil {
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
		if dupErr != nil && !errors.Is(dupErr, win32.ErrAccessLost) {
			c.fallBack(dupErr)
		}
		// A lost duplication (the secure desktop) is tried again next time.
		return nil, fmt.Errorf("%w (%v)", blockedNow(queryInputDesktop()), err)
	}
	if dupErr != nil {
		// GDI reads what DXGI cannot: GDI from now on.
		c.fallBack(dupErr)
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
	if c.dup != nil {
		c.dup.close()
		c.dup = nil
	}
	if c.shot != nil {
		c.shot.Close()
		c.shot = nil
	}
	c.frame.Pix = nil
	return nil
}

// The system calls that tell why the screen cannot be read (tests replace
// them: Wine has neither a lock screen nor a secure desktop).
var (
	queryInputDesktop = win32.InputDesktopName
	queryOwnDesktop   = win32.ThreadDesktopName
	querySessionLock  = win32.SessionLocked
)

// inputElsewhere says why the screen is not the customer's when a desktop
// other than the one this process reads receives input (err: it cannot be
// opened, as Winlogon's cannot), and nil when ours does. It asks once per
// desktopCheckEvery while ours does, and at every call while another does,
// so the screen comes back at the next Read. c.mu must be held.
func (c *Capture) inputElsewhere(now time.Time) error {
	if c.away == nil && now.Sub(c.asked) < desktopCheckEvery {
		return nil
	}
	c.asked = now
	name, err := queryInputDesktop()
	if err == nil && strings.EqualFold(name, c.own) {
		if c.away != nil {
			c.away = nil
			c.frame.Seq++ // the screen is back: encode it again
		}
		return nil
	}
	why := blockedNow(name, err)
	if err != nil {
		c.away = fmt.Errorf("%w (%v)", why, err)
	} else {
		c.away = fmt.Errorf("%w (input desktop %q)", why, name)
	}
	return c.away
}

// blockedNow says why the screen cannot be read now, from the input
// desktop's name (or the error opening it: not ours to open, Winlogon's)
// and the session's lock state (see blockedBy).
func blockedNow(inputDesktop string, err error) error {
	if err != nil {
		inputDesktop = ""
	}
	lock := lockUnknown
	if locked, known := querySessionLock(); known {
		lock = sessionUnlocked
		if locked {
			lock = sessionLocked
		}
	}
	return blockedBy(inputDesktop, lock)
}
