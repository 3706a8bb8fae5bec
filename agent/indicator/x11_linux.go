package indicator

import (
	"errors"
	"fmt"
	"image"
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

// X11 draws the indicator in override-redirect windows: four thin strips
// framing the screen (click-through, SHAPE input region empty) and a badge
// that takes clicks and can be dragged. They stay above every window mapped
// or restacked later, the technician's drawing included. The badge's text is
// drawn in Go (see render) and put as an image, so it is readable and needs
// no X font.
type X11 struct {
	conn    *xgb.Conn
	root    xproto.Window
	depth   byte
	visual  xproto.Visualid
	masks   [3]uint32
	w, h    int
	strips  [4]xproto.Window
	badge   xproto.Window
	gc      xproto.Gcontext
	bpp     int  // bits per pixel of the root depth's images (16 or 32)
	msb     bool // the server wants image bytes most significant first
	maxReq  int  // largest request, in bytes
	onClick func(Zone)
	done    chan struct{}
	wg      sync.WaitGroup
	once    sync.Once
	// peers caches, for the event goroutine only, whether a window is
	// another indicator's.
	peers map[xproto.Window]bool

	// press is where the pointer went down on the badge (root coordinates)
	// and where the badge was then; dragging is set once it moved beyond
	// dragSlop. Event goroutine only.
	press, pressAt image.Point
	pressed        bool
	dragging       bool

	mu     sync.Mutex // guards the fields below and every request
	state  State
	look   layout
	pixels []byte // look.img in the server's image format
	// corner is the badge's bottom right corner: the default one, or where
	// the customer dragged it.
	corner image.Point
	// pickDone is set while the customer points at a window (see Pick);
	// cursor is the crosshair shown then (0: the usual one).
	pickDone func(image.Point, bool)
	cursor   xproto.Cursor
}

var _ Picker = (*X11)(nil)

// NewX11 opens display ("" means $DISPLAY); onClick runs (on the event
// goroutine; it must not block) when the customer clicks the badge.
func NewX11(display string, onClick func(Zone)) (*X11, error) {
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		return nil, fmt.Errorf("indicator: open the X display: %w", err)
	}
	x := &X11{conn: conn, onClick: onClick, done: make(chan struct{}), peers: map[xproto.Window]bool{}}
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
	setup := xproto.Setup(x.conn)
	scr := setup.DefaultScreen(x.conn)
	x.root, x.depth, x.visual = scr.Root, scr.RootDepth, scr.RootVisual
	x.w, x.h = int(scr.WidthInPixels), int(scr.HeightInPixels)
	x.corner = image.Pt(x.w-Margin, x.h-BottomMargin)
	x.msb = setup.ImageByteOrder == xproto.ImageOrderMSBFirst
	x.maxReq = int(setup.MaximumRequestLength) * 4
	for _, f := range setup.PixmapFormats {
		if f.Depth == x.depth {
			x.bpp = int(f.BitsPerPixel)
		}
	}
	if x.bpp != 16 && x.bpp != 32 {
		return fmt.Errorf("indicator: %d bits per pixel are not supported", x.bpp)
	}
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
	if x.badge, err = x.window(0, 0, 1, BadgeHeight, xproto.EventMaskExposure|xproto.EventMaskButtonPress|
		xproto.EventMaskButtonRelease|xproto.EventMaskButton1Motion); err != nil {
		return err
	}
	if x.gc, err = xproto.NewGcontextId(x.conn); err != nil {
		return fmt.Errorf("indicator: %w", err)
	}
	return xproto.CreateGCChecked(x.conn, x.gc, xproto.Drawable(x.badge), 0, nil).Check()
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

// Show shows state s with badge b, or hides everything for Off.
func (x *X11) Show(s State, b Badge) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.state = s
	wins := append(x.strips[:], x.badge)
	if s == Off {
		x.endPickLocked() // hidden: the pick ends, unreported
		for _, w := range wins {
			xproto.UnmapWindow(x.conn, w)
		}
		_, err := xproto.GetInputFocus(x.conn).Reply()
		return err
	}
	if s == Lost || s == Held {
		// The badge alone: the frame means someone is viewing.
		for _, w := range x.strips {
			xproto.UnmapWindow(x.conn, w)
		}
		wins = []xproto.Window{x.badge}
	}
	look, err := render(s, b, x.w-2*Margin)
	if err != nil {
		return err
	}
	x.look, x.pixels = look, x.encode(look.img)
	bx, by := x.placeLocked()
	xproto.ConfigureWindow(x.conn, x.badge, xproto.ConfigWindowX|xproto.ConfigWindowY|xproto.ConfigWindowWidth,
		[]uint32{uint32(bx), uint32(by), uint32(look.img.Rect.Dx())})
	for _, w := range wins {
		xproto.ChangeWindowAttributes(x.conn, w, xproto.CwBackPixel, []uint32{x.pixel(rgbOf(s))})
		xproto.ClearArea(x.conn, false, w, 0, 0, 0, 0)
		xproto.MapWindow(x.conn, w)
	}
	x.raiseLocked()
	x.paintLocked()
	_, err = xproto.GetInputFocus(x.conn).Reply()
	return err
}

// placeLocked is where the badge's top left goes: its bottom right at
// x.corner, the whole badge on the screen. x.mu must be held.
func (x *X11) placeLocked() (int, int) {
	r := placed(x.corner, x.look.img.Rect.Dx(), image.Rect(0, 0, x.w, x.h))
	return r.Min.X, r.Min.Y
}

// paintLocked puts the badge's picture, in strips of rows that fit in a
// request. x.mu must be held.
func (x *X11) paintLocked() {
	if x.state == Off || x.pixels == nil {
		return
	}
	w := x.look.img.Rect.Dx()
	stride := w * x.bpp / 8
	rows := max(1, (x.maxReq-64)/stride)
	for y := 0; y < BadgeHeight; y += rows {
		n := min(rows, BadgeHeight-y)
		xproto.PutImage(x.conn, xproto.ImageFormatZPixmap, xproto.Drawable(x.badge), x.gc,
			uint16(w), uint16(n), 0, int16(y), 0, x.depth, x.pixels[y*stride:(y+n)*stride])
	}
}

// encode turns img into the server's ZPixmap format for the root depth.
func (x *X11) encode(img *image.RGBA) []byte {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	n := x.bpp / 8
	out := make([]byte, 0, w*h*n)
	for py := range h {
		for px := range w {
			c := img.RGBAAt(px, py)
			v := x.pixel([3]uint8{c.R, c.G, c.B})
			for i := range n {
				shift := 8 * i
				if x.msb {
					shift = 8 * (n - 1 - i)
				}
				out = append(out, byte(v>>shift))
			}
		}
	}
	return out
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
			if x.picked(e) {
				continue
			}
			if e.Detail == xproto.ButtonIndex1 && e.Event == x.badge {
				x.mu.Lock()
				bx, by := x.placeLocked()
				x.mu.Unlock()
				x.pressed, x.dragging = true, false
				x.press, x.pressAt = image.Pt(int(e.RootX), int(e.RootY)), image.Pt(bx, by)
			}
		case xproto.MotionNotifyEvent:
			if x.pressed && e.Event == x.badge {
				x.drag(image.Pt(int(e.RootX), int(e.RootY)))
			}
		case xproto.ButtonReleaseEvent:
			if !x.pressed || e.Detail != xproto.ButtonIndex1 || e.Event != x.badge {
				continue
			}
			x.pressed = false
			if x.dragging {
				x.drag(image.Pt(int(e.RootX), int(e.RootY)))
				continue
			}
			x.mu.Lock()
			s, look := x.state, x.look
			x.mu.Unlock()
			if s != Off && x.onClick != nil {
				x.onClick(look.zone(int(e.EventX)))
			}
		case xproto.KeyPressEvent:
			x.mu.Lock()
			done := x.endPickLocked()
			x.mu.Unlock()
			if done != nil {
				done(image.Point{}, false)
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

// xcCrosshair is the crosshair in X's cursor font (X11/cursorfont.h).
const xcCrosshair = 34

// Pick grabs the pointer, with a crosshair, and the keyboard until the
// customer's next click or key (see Picker). Show(Off) ends it without
// calling done.
func (x *X11) Pick(done func(at image.Point, ok bool)) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.pickDone != nil {
		return errors.New("indicator: already pointing at a window")
	}
	if x.cursor == 0 {
		x.cursor = x.crosshair()
	}
	r, err := xproto.GrabPointer(x.conn, false, x.root, uint16(xproto.EventMaskButtonPress), xproto.GrabModeAsync,
		xproto.GrabModeAsync, xproto.WindowNone, x.cursor, xproto.TimeCurrentTime).Reply()
	if err != nil {
		return fmt.Errorf("indicator: grab the pointer: %w", err)
	}
	if r.Status != xproto.GrabStatusSuccess {
		return fmt.Errorf("indicator: the pointer is held by another program (grab status %d)", r.Status)
	}
	// A key cancels; without the keyboard, another button does.
	_, _ = xproto.GrabKeyboard(x.conn, false, x.root, xproto.TimeCurrentTime, xproto.GrabModeAsync, xproto.GrabModeAsync).Reply()
	x.pickDone = done
	return nil
}

// endPickLocked releases a pick's grabs and returns its done, nil if no
// pick is on. x.mu must be held.
func (x *X11) endPickLocked() func(image.Point, bool) {
	done := x.pickDone
	if done != nil {
		x.pickDone = nil
		xproto.UngrabPointer(x.conn, xproto.TimeCurrentTime)
		xproto.UngrabKeyboard(x.conn, xproto.TimeCurrentTime)
	}
	return done
}

// picked ends a pick with the press e, if one is on: the left button
// anywhere but on the badge picks there, anything else cancels. It reports
// whether e was the pick's. Event goroutine only.
func (x *X11) picked(e xproto.ButtonPressEvent) bool {
	x.mu.Lock()
	done := x.endPickLocked()
	if done == nil {
		x.mu.Unlock()
		return false
	}
	bx, by := x.placeLocked() // a pick starts on a badge shown
	badge := image.Rect(bx, by, bx+x.look.img.Rect.Dx(), by+BadgeHeight)
	x.mu.Unlock()
	at := image.Pt(int(e.RootX), int(e.RootY))
	done(at, e.Detail == xproto.ButtonIndex1 && !at.In(badge))
	return true
}

// crosshair makes the crosshair cursor, 0 if the server has no cursor
// font. x.mu must be held.
func (x *X11) crosshair() xproto.Cursor {
	f, err := xproto.NewFontId(x.conn)
	if err != nil {
		return 0
	}
	if xproto.OpenFontChecked(x.conn, f, 6, "cursor").Check() != nil {
		return 0
	}
	defer xproto.CloseFont(x.conn, f)
	c, err := xproto.NewCursorId(x.conn)
	if err != nil {
		return 0
	}
	if xproto.CreateGlyphCursorChecked(x.conn, c, f, f, xcCrosshair, xcCrosshair+1, 0, 0, 0, 0xffff, 0xffff, 0xffff).Check() != nil {
		return 0
	}
	return c
}

// drag moves the badge with the pointer, now at p (root coordinates), once
// it moved beyond dragSlop since the press. Event goroutine only.
func (x *X11) drag(p image.Point) {
	d := p.Sub(x.press)
	if !x.dragging && max(d.X, -d.X, d.Y, -d.Y) <= dragSlop {
		return
	}
	x.dragging = true
	x.mu.Lock()
	defer x.mu.Unlock()
	at := x.pressAt.Add(d)
	x.corner = at.Add(image.Pt(x.look.img.Rect.Dx(), BadgeHeight))
	bx, by := x.placeLocked()
	xproto.ConfigureWindow(x.conn, x.badge, xproto.ConfigWindowX|xproto.ConfigWindowY, []uint32{uint32(bx), uint32(by)})
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

// EndX is where the badge's End button starts, from the badge's left edge,
// for tests.
func (x *X11) EndX() int {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.look.endX
}

// HideX is where the badge's "Hide a window" button starts (EndX without
// one), from the badge's left edge, for tests.
func (x *X11) HideX() int {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.look.hideX
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
