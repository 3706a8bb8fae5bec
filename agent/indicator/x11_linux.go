package indicator

import (
	"errors"
	"fmt"
	"io"
	"log"
	"math/bits"
	"sync"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/shape"
	"github.com/jezek/xgb/xproto"

	"github.com/lifeline-support/lifeline/agent/xshape"
)

func init() { xgb.Logger = log.New(io.Discard, "", 0) }

// WindowName names the indicator's windows (WM_NAME). An indicator does not
// raise itself over windows of that name: two agents on one desktop keep
// both indicators above everything else without a raising match between them.
const WindowName = "Lifeline indicator"

// charWidth is the width of a character of the "fixed" core font.
const charWidth = 6

// X11 draws the indicator in override-redirect windows: four thin strips
// framing the screen (click-through, SHAPE input region empty) and a badge
// that takes clicks. They stay above every window mapped or restacked later,
// the technician's drawing included.
type X11 struct {
	conn   *xgb.Conn
	root   xproto.Window
	depth  byte
	visual xproto.Visualid
	masks  [3]uint32
	w, h   int
	strips [4]xproto.Window
	badge  xproto.Window
	gc     xproto.Gcontext
	font   xproto.Font // 0 if no core font could be opened
	onStop func(controlled bool)
	done   chan struct{}
	wg     sync.WaitGroup
	once   sync.Once
	// peers caches, for the event goroutine only, whether a window is
	// another indicator's.
	peers map[xproto.Window]bool

	mu    sync.Mutex // guards the fields below and every request
	state State
	text  string
}

// NewX11 opens display ("" means $DISPLAY); onStop runs (on the event
// goroutine; it must not block) when the customer clicks the badge.
func NewX11(display string, onStop func(controlled bool)) (*X11, error) {
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		return nil, fmt.Errorf("indicator: open the X display: %w", err)
	}
	x := &X11{conn: conn, onStop: onStop, done: make(chan struct{}), peers: map[xproto.Window]bool{}}
	if err := x.init(); err != nil {
		conn.Close()
		return nil, err
	}
	x.wg.Add(1)
	go x.events()
	return x, nil
}

func (x *X11) init() error {
	if err := xshape.Use(x.conn); err != nil {
		return fmt.Errorf("indicator: %w", err)
	}
	scr := xproto.Setup(x.conn).DefaultScreen(x.conn)
	x.root, x.depth, x.visual = scr.Root, scr.RootDepth, scr.RootVisual
	x.w, x.h = int(scr.WidthInPixels), int(scr.HeightInPixels)
	for _, d := range scr.AllowedDepths {
		for _, v := range d.Visuals {
			if v.VisualId == scr.RootVisual && v.Class == xproto.VisualClassTrueColor {
				x.masks = [3]uint32{v.RedMask, v.GreenMask, v.BlueMask}
			}
		}
	}
	if x.masks[0] == 0 {
		return errors.New("indicator: the X display is not TrueColor")
	}
	if err := xproto.ChangeWindowAttributesChecked(x.conn, x.root, xproto.CwEventMask,
		[]uint32{xproto.EventMaskSubstructureNotify}).Check(); err != nil {
		return fmt.Errorf("indicator: watch the screen: %w", err)
	}
	rects := [4][4]int{{0, 0, x.w, Frame}, {0, x.h - Frame, x.w, Frame}, {0, 0, Frame, x.h}, {x.w - Frame, 0, Frame, x.h}}
	for i, r := range rects {
		win, err := x.window(r[0], r[1], r[2], r[3], 0)
		if err != nil {
			return err
		}
		if err := shape.RectanglesChecked(x.conn, shape.SoSet, shape.SkInput, xproto.ClipOrderingUnsorted, win, 0, 0, nil).Check(); err != nil {
			return fmt.Errorf("indicator: make the frame click-through: %w", err)
		}
		x.strips[i] = win
	}
	var err error
	if x.badge, err = x.window(0, 0, 1, BadgeHeight, xproto.EventMaskExposure|xproto.EventMaskButtonPress); err != nil {
		return err
	}
	if x.gc, err = xproto.NewGcontextId(x.conn); err != nil {
		return fmt.Errorf("indicator: %w", err)
	}
	mask, vals := uint32(xproto.GcForeground), []uint32{x.pixel([3]uint8{255, 255, 255})}
	if f, err := xproto.NewFontId(x.conn); err == nil {
		name := "fixed"
		if xproto.OpenFontChecked(x.conn, f, uint16(len(name)), name).Check() == nil {
			x.font = f
			mask |= xproto.GcFont
			vals = append(vals, uint32(f))
		}
	}
	return xproto.CreateGCChecked(x.conn, x.gc, xproto.Drawable(x.badge), mask, vals).Check()
}

func (x *X11) window(px, py, w, h int, events uint32) (xproto.Window, error) {
	win, err := xproto.NewWindowId(x.conn)
	if err != nil {
		return 0, fmt.Errorf("indicator: %w", err)
	}
	if err := xproto.CreateWindowChecked(x.conn, x.depth, win, x.root, int16(px), int16(py), uint16(w), uint16(h), 0,
		xproto.WindowClassInputOutput, x.visual, xproto.CwBackPixel|xproto.CwOverrideRedirect|xproto.CwEventMask,
		[]uint32{0, 1, events}).Check(); err != nil {
		return 0, fmt.Errorf("indicator: create a window: %w", err)
	}
	if err := xproto.ChangePropertyChecked(x.conn, xproto.PropModeReplace, win, xproto.AtomWmName, xproto.AtomString,
		8, uint32(len(WindowName)), []byte(WindowName)).Check(); err != nil {
		return 0, fmt.Errorf("indicator: name a window: %w", err)
	}
	return win, nil
}

// Show shows state s with text on the badge, or hides everything for Off.
func (x *X11) Show(s State, text string) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.state, x.text = s, latin1(text)
	wins := append(x.strips[:], x.badge)
	if s == Off {
		for _, w := range wins {
			xproto.UnmapWindow(x.conn, w)
		}
		_, err := xproto.GetInputFocus(x.conn).Reply()
		return err
	}
	rgb := viewedRGB
	switch s {
	case Controlled:
		rgb = controlledRGB
	case Lost:
		// The badge alone: the frame means someone is viewing.
		rgb = lostRGB
		for _, w := range x.strips {
			xproto.UnmapWindow(x.conn, w)
		}
		wins = []xproto.Window{x.badge}
	}
	bw := min(x.w, len(x.text)*charWidth+2*padding)
	xproto.ConfigureWindow(x.conn, x.badge, xproto.ConfigWindowX|xproto.ConfigWindowWidth,
		[]uint32{uint32((x.w - bw) / 2), uint32(bw)})
	for _, w := range wins {
		xproto.ChangeWindowAttributes(x.conn, w, xproto.CwBackPixel, []uint32{x.pixel(rgb)})
		xproto.ClearArea(x.conn, false, w, 0, 0, 0, 0)
		xproto.MapWindow(x.conn, w)
	}
	x.raiseLocked()
	x.paintLocked()
	_, err := xproto.GetInputFocus(x.conn).Reply()
	return err
}

// paintLocked draws the badge's text. x.mu must be held.
func (x *X11) paintLocked() {
	if x.font == 0 || x.state == Off {
		return
	}
	xproto.ClearArea(x.conn, false, x.badge, 0, 0, 0, 0)
	xproto.ImageText8(x.conn, byte(len(x.text)), xproto.Drawable(x.badge), x.gc, padding, BadgeHeight/2+4, x.text)
}

// raiseLocked keeps the indicator on top. x.mu must be held.
func (x *X11) raiseLocked() {
	for _, w := range append(x.strips[:], x.badge) {
		xproto.ConfigureWindow(x.conn, w, xproto.ConfigWindowStackMode, []uint32{xproto.StackModeAbove})
	}
}

func (x *X11) mine(w xproto.Window) bool {
	return w == x.badge || w == x.strips[0] || w == x.strips[1] || w == x.strips[2] || w == x.strips[3]
}

// events repaints the badge, reports clicks on it, and raises the indicator
// over any window that appears or is restacked.
func (x *X11) events() {
	defer x.wg.Done()
	for {
		ev, err := x.conn.WaitForEvent()
		if ev == nil && err == nil {
			return
		}
		select {
		case <-x.done:
			return
		default:
		}
		switch e := ev.(type) {
		case xproto.ExposeEvent:
			if e.Count == 0 {
				x.mu.Lock()
				x.paintLocked()
				x.mu.Unlock()
			}
		case xproto.ButtonPressEvent:
			x.mu.Lock()
			s := x.state
			x.mu.Unlock()
			if s != Off && x.onStop != nil {
				x.onStop(s == Controlled)
			}
		// Any other window mapped or restacked may now cover the indicator:
		// override-redirect ones included, such as the technician's drawing,
		// which is raised with every stroke. Only the indicator's own
		// restacking is left alone.
		case xproto.MapNotifyEvent:
			x.raiseOver(e.Window)
		case xproto.ConfigureNotifyEvent:
			x.raiseOver(e.Window)
		case xproto.CirculateNotifyEvent:
			x.raiseOver(e.Window)
		case xproto.DestroyNotifyEvent:
			delete(x.peers, e.Window) // its id may come back for another window
		}
	}
}

// raiseOver raises the indicator after w was mapped or restacked, unless w is
// one of its own windows or another indicator's. Event goroutine only.
func (x *X11) raiseOver(w xproto.Window) {
	if x.mine(w) {
		return
	}
	peer, known := x.peers[w]
	if !known {
		r, err := xproto.GetProperty(x.conn, false, w, xproto.AtomWmName, xproto.AtomString, 0, uint32(len(WindowName))).Reply()
		peer = err == nil && string(r.Value) == WindowName && r.BytesAfter == 0
		x.peers[w] = peer
	}
	if !peer {
		x.raise()
	}
}

func (x *X11) raise() {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.state != Off {
		x.raiseLocked()
	}
}

// Close removes the indicator and closes the connection. It is idempotent.
func (x *X11) Close() error {
	x.once.Do(func() {
		close(x.done)
		x.mu.Lock()
		for _, w := range append(x.strips[:], x.badge) {
			xproto.DestroyWindow(x.conn, w)
		}
		_, _ = xproto.GetInputFocus(x.conn).Reply()
		x.mu.Unlock()
		x.conn.Close()
		x.wg.Wait()
	})
	return nil
}

// BadgeRect is where the badge is now (x, y, width, height), for tests.
func (x *X11) BadgeRect() (int, int, int, int) {
	g, err := xproto.GetGeometry(x.conn, xproto.Drawable(x.badge)).Reply()
	if err != nil {
		return 0, 0, 0, 0
	}
	return int(g.X), int(g.Y), int(g.Width), int(g.Height)
}

func (x *X11) pixel(c [3]uint8) uint32 {
	return scale(c[0], x.masks[0]) | scale(c[1], x.masks[1]) | scale(c[2], x.masks[2])
}

func scale(v uint8, mask uint32) uint32 {
	shift, width := bits.TrailingZeros32(mask), bits.OnesCount32(mask)
	u := uint32(v)
	if width >= 8 {
		u <<= width - 8
	} else {
		u >>= 8 - width
	}
	return (u << shift) & mask
}

// latin1 keeps what the core font can draw (Latin-1), at most 255 bytes.
func latin1(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if len(b) == 255 {
			break
		}
		if r < 0x20 || r > 0xff {
			r = '?'
		}
		b = append(b, byte(r))
	}
	return string(b)
}
