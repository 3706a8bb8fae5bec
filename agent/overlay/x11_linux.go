package overlay

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
	"log"
	"math/bits"
	"sync"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/shape"
	"github.com/jezek/xgb/xproto"

	"github.com/lifeline-support/lifeline/agent/xshape"
)

// The X library logs "could not get authority info" on every connection to
// a display without a cookie file, as Xvfb is.
func init() { xgb.Logger = log.New(io.Discard, "", 0) }

// X11 is the Backend for an X11 display. It draws in two override-redirect
// windows (the strokes, full screen, and the laser dot, small) shaped with the
// SHAPE extension: each window exists on screen only where it has pixels, and
// its input shape is empty, so every click goes through to the windows below.
// They are raised again whenever an application window (not override-redirect)
// is mapped or restacked.
type X11 struct {
	conn    *xgb.Conn
	root    xproto.Window
	depth   byte
	visual  xproto.Visualid
	masks   [3]uint32 // red, green, blue masks of the visual
	w, h    int
	draw    xproto.Window // the strokes
	laser   xproto.Window // the laser dot
	gc      xproto.Gcontext
	stripes xproto.Pixmap // the stipple of wide strokes' shapes
	done    chan struct{}
	wg      sync.WaitGroup
	closeMu sync.Once

	mu      sync.Mutex // guards the fields below and every drawing request
	parts   []part     // everything drawn since the last Clear, to repaint
	drawOn  bool       // the drawing window is mapped
	laserOn bool
}

// NewX11 opens display ("" means $DISPLAY) and prepares the overlay windows,
// hidden until something is drawn. It fails when the display has no SHAPE
// extension or is not a TrueColor display.
func NewX11(display string) (*X11, error) {
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		return nil, fmt.Errorf("overlay: open the X display: %w", err)
	}
	x := &X11{conn: conn, done: make(chan struct{})}
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
		return fmt.Errorf("overlay: %w", err)
	}
	setup := xproto.Setup(x.conn)
	scr := setup.DefaultScreen(x.conn)
	x.root, x.depth, x.visual = scr.Root, scr.RootDepth, scr.RootVisual
	x.w, x.h = int(scr.WidthInPixels), int(scr.HeightInPixels)
	var vt *xproto.VisualInfo
	for _, d := range scr.AllowedDepths {
		for i, v := range d.Visuals {
			if v.VisualId == scr.RootVisual {
				vt = &d.Visuals[i]
			}
		}
	}
	if vt == nil || vt.Class != xproto.VisualClassTrueColor {
		return errors.New("overlay: the X display is not TrueColor")
	}
	x.masks = [3]uint32{vt.RedMask, vt.GreenMask, vt.BlueMask}

	// Watch the root for windows mapped or restacked over ours.
	if err := xproto.ChangeWindowAttributesChecked(x.conn, x.root, xproto.CwEventMask,
		[]uint32{xproto.EventMaskSubstructureNotify}).Check(); err != nil {
		return fmt.Errorf("overlay: watch the screen: %w", err)
	}
	var err error
	if x.draw, err = x.window(0, 0, x.w, x.h, 0, xproto.EventMaskExposure); err != nil {
		return err
	}
	d := 2*LaserRadius + 1
	if x.laser, err = x.window(0, 0, d, d, x.pixel(color.RGBA{R: 255, A: 255}), 0); err != nil {
		return err
	}
	if err := x.shapeMask(x.laser, shape.SoSet, image.Point{}, d, d, func(pm xproto.Pixmap, gc xproto.Gcontext) error {
		return xproto.PolyFillArcChecked(x.conn, xproto.Drawable(pm), gc,
			[]xproto.Arc{{X: 0, Y: 0, Width: uint16(d), Height: uint16(d), Angle1: 0, Angle2: 360 * 64}}).Check()
	}); err != nil {
		return err
	}
	if err := x.makeStripes(); err != nil {
		return err
	}
	gc, err := xproto.NewGcontextId(x.conn)
	if err != nil {
		return fmt.Errorf("overlay: %w", err)
	}
	x.gc = gc
	return xproto.CreateGCChecked(x.conn, gc, xproto.Drawable(x.draw),
		xproto.GcLineWidth|xproto.GcCapStyle|xproto.GcJoinStyle,
		[]uint32{1, xproto.CapStyleRound, xproto.JoinStyleRound}).Check()
}

// Stripes of wide strokes: of every stripeRows rows of the screen, the last
// one shows what is under the stroke.
const stripeRows = 3

// makeStripes creates the stipple that shapes strokes wider than SolidWidth.
func (x *X11) makeStripes() error {
	pm, err := xproto.NewPixmapId(x.conn)
	if err != nil {
		return fmt.Errorf("overlay: %w", err)
	}
	if err := xproto.CreatePixmapChecked(x.conn, 1, pm, xproto.Drawable(x.root), 8, stripeRows).Check(); err != nil {
		return fmt.Errorf("overlay: create the stripes: %w", err)
	}
	gc, err := xproto.NewGcontextId(x.conn)
	if err != nil {
		return fmt.Errorf("overlay: %w", err)
	}
	if err := xproto.CreateGCChecked(x.conn, gc, xproto.Drawable(pm), xproto.GcForeground, []uint32{0}).Check(); err != nil {
		return fmt.Errorf("overlay: %w", err)
	}
	defer xproto.FreeGC(x.conn, gc)
	xproto.PolyFillRectangle(x.conn, xproto.Drawable(pm), gc, []xproto.Rectangle{{Width: 8, Height: stripeRows}})
	xproto.ChangeGC(x.conn, gc, xproto.GcForeground, []uint32{1})
	xproto.PolyFillRectangle(x.conn, xproto.Drawable(pm), gc, []xproto.Rectangle{{Width: 8, Height: stripeRows - 1}})
	x.stripes = pm
	return nil
}

// window creates an unmapped override-redirect window with an empty input
// shape: the pointer and keyboard never go to it.
func (x *X11) window(px, py, w, h int, back uint32, events uint32) (xproto.Window, error) {
	win, err := xproto.NewWindowId(x.conn)
	if err != nil {
		return 0, fmt.Errorf("overlay: %w", err)
	}
	if err := xproto.CreateWindowChecked(x.conn, x.depth, win, x.root, int16(px), int16(py), uint16(w), uint16(h), 0,
		xproto.WindowClassInputOutput, x.visual,
		xproto.CwBackPixel|xproto.CwOverrideRedirect|xproto.CwEventMask,
		[]uint32{back, 1, events}).Check(); err != nil {
		return 0, fmt.Errorf("overlay: create a window: %w", err)
	}
	if err := shape.RectanglesChecked(x.conn, shape.SoSet, shape.SkInput, xproto.ClipOrderingUnsorted, win, 0, 0, nil).Check(); err != nil {
		return 0, fmt.Errorf("overlay: make the window click-through: %w", err)
	}
	// Nothing visible until something is drawn.
	if err := shape.RectanglesChecked(x.conn, shape.SoSet, shape.SkBounding, xproto.ClipOrderingUnsorted, win, 0, 0, nil).Check(); err != nil {
		return 0, fmt.Errorf("overlay: shape the window: %w", err)
	}
	return win, nil
}

// shapeMask combines win's visible shape (op: set, union) with what paint draws
// in a w×h bitmap placed at off.
func (x *X11) shapeMask(win xproto.Window, op shape.Op, off image.Point, w, h int, paint func(xproto.Pixmap, xproto.Gcontext) error) error {
	pm, err := xproto.NewPixmapId(x.conn)
	if err != nil {
		return fmt.Errorf("overlay: %w", err)
	}
	if err := xproto.CreatePixmapChecked(x.conn, 1, pm, xproto.Drawable(x.root), uint16(w), uint16(h)).Check(); err != nil {
		return fmt.Errorf("overlay: create a mask: %w", err)
	}
	defer xproto.FreePixmap(x.conn, pm)
	gc, err := xproto.NewGcontextId(x.conn)
	if err != nil {
		return fmt.Errorf("overlay: %w", err)
	}
	if err := xproto.CreateGCChecked(x.conn, gc, xproto.Drawable(pm), xproto.GcForeground|xproto.GcCapStyle|xproto.GcJoinStyle,
		[]uint32{0, xproto.CapStyleRound, xproto.JoinStyleRound}).Check(); err != nil {
		return fmt.Errorf("overlay: %w", err)
	}
	defer xproto.FreeGC(x.conn, gc)
	xproto.PolyFillRectangle(x.conn, xproto.Drawable(pm), gc, []xproto.Rectangle{{Width: uint16(w), Height: uint16(h)}})
	xproto.ChangeGC(x.conn, gc, xproto.GcForeground, []uint32{1})
	if err := paint(pm, gc); err != nil {
		return fmt.Errorf("overlay: draw the mask: %w", err)
	}
	return shape.MaskChecked(x.conn, op, shape.SkBounding, win, int16(off.X), int16(off.Y), pm).Check()
}

// Size is the size of the display's default screen.
func (x *X11) Size() (int, int) { return x.w, x.h }

// part is a drawn stroke part and the box it covers.
type part struct {
	Stroke
	box image.Rectangle
}

// bounds is the box s covers on the screen, its width included.
func bounds(s Stroke) image.Rectangle {
	var box image.Rectangle
	for i, p := range s.Points {
		r := image.Rect(p.X-s.Width, p.Y-s.Width, p.X+s.Width+1, p.Y+s.Width+1)
		if i == 0 {
			box = r
		} else {
			box = box.Union(r)
		}
	}
	return box
}

// Draw adds parts to the drawing: their shape is added to the window's
// (SHAPE union of a bitmap just as big as the parts), then they are painted in
// their colours. Neither step looks at the rest of the drawing. Parts wider
// than SolidWidth are shaped in stripes: never an opaque fill.
func (x *X11) Draw(parts []Stroke) error {
	if len(parts) == 0 {
		return nil
	}
	var box image.Rectangle
	drawn := make([]part, 0, len(parts))
	for _, s := range parts {
		if len(s.Points) == 0 {
			continue
		}
		b := bounds(s)
		drawn = append(drawn, part{s, b})
		box = box.Union(b)
	}
	box = box.Intersect(image.Rect(0, 0, x.w, x.h))
	if box.Empty() {
		return nil
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.parts = append(x.parts, drawn...)
	off := box.Min
	err := x.shapeMask(x.draw, shape.SoUnion, off, box.Dx(), box.Dy(), func(pm xproto.Pixmap, gc xproto.Gcontext) error {
		for _, s := range parts {
			fill := uint32(xproto.FillStyleSolid)
			if s.Width > SolidWidth {
				fill = xproto.FillStyleStippled
			}
			// The stripes follow the screen's rows wherever the bitmap sits.
			xproto.ChangeGC(x.conn, gc, xproto.GcLineWidth|xproto.GcFillStyle|xproto.GcStipple|xproto.GcTileStippleOriginX|xproto.GcTileStippleOriginY,
				[]uint32{uint32(s.Width), fill, uint32(x.stripes), uint32(int32(-off.X)), uint32(int32(-off.Y))})
			x.stroke(xproto.Drawable(pm), gc, s, off)
		}
		_, err := xproto.GetInputFocus(x.conn).Reply() // a round trip: errors surface
		return err
	})
	if err != nil {
		return err
	}
	if !x.drawOn {
		x.drawOn = true
		xproto.MapWindow(x.conn, x.draw)
	}
	x.paintLocked(parts)
	return x.raiseLocked()
}

// Clear erases the drawing: the window loses its whole shape and is unmapped.
func (x *X11) Clear() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.parts = nil
	if !x.drawOn {
		return nil
	}
	x.drawOn = false
	xproto.UnmapWindow(x.conn, x.draw)
	return shape.RectanglesChecked(x.conn, shape.SoSet, shape.SkBounding, xproto.ClipOrderingUnsorted, x.draw, 0, 0, nil).Check()
}

// SetLaser shows the laser dot centred on p, or hides it.
func (x *X11) SetLaser(p image.Point, on bool) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if !on {
		if x.laserOn {
			x.laserOn = false
			return xproto.UnmapWindowChecked(x.conn, x.laser).Check()
		}
		return nil
	}
	xproto.ConfigureWindow(x.conn, x.laser, xproto.ConfigWindowX|xproto.ConfigWindowY,
		[]uint32{uint32(int32(p.X - LaserRadius)), uint32(int32(p.Y - LaserRadius))})
	if !x.laserOn {
		x.laserOn = true
		xproto.MapWindow(x.conn, x.laser)
	}
	return x.raiseLocked()
}

// stroke draws one stroke on d with gc, whose line width is set, shifted by -off.
func (x *X11) stroke(d xproto.Drawable, gc xproto.Gcontext, s Stroke, off image.Point) {
	if len(s.Points) == 1 {
		// A dot: a filled circle as wide as the line.
		p, w := s.Points[0].Sub(off), s.Width
		xproto.PolyFillArc(x.conn, d, gc, []xproto.Arc{{X: int16(p.X - w/2), Y: int16(p.Y - w/2),
			Width: uint16(w), Height: uint16(w), Angle1: 0, Angle2: 360 * 64}})
		return
	}
	pts := make([]xproto.Point, len(s.Points))
	for i, p := range s.Points {
		pts[i] = xproto.Point{X: int16(p.X - off.X), Y: int16(p.Y - off.Y)}
	}
	xproto.PolyLine(x.conn, xproto.CoordModeOrigin, d, gc, pts)
}

// repaintLocked paints again the parts that cross the exposed rectangles.
// x.mu must be held.
func (x *X11) repaintLocked(exposed []image.Rectangle) {
	var again []Stroke
	for _, p := range x.parts {
		for _, r := range exposed {
			if p.box.Overlaps(r) {
				again = append(again, p.Stroke)
				break
			}
		}
	}
	x.paintLocked(again)
}

// paintLocked paints parts in their colours. x.mu must be held.
func (x *X11) paintLocked(parts []Stroke) {
	for _, s := range parts {
		xproto.ChangeGC(x.conn, x.gc, xproto.GcForeground|xproto.GcLineWidth, []uint32{x.pixel(s.Color), uint32(s.Width)})
		x.stroke(xproto.Drawable(x.draw), x.gc, s, image.Point{})
	}
}

// raiseLocked puts the overlay windows on top, the laser above the strokes.
// x.mu must be held.
func (x *X11) raiseLocked() error {
	if x.drawOn {
		xproto.ConfigureWindow(x.conn, x.draw, xproto.ConfigWindowStackMode, []uint32{xproto.StackModeAbove})
	}
	if x.laserOn {
		xproto.ConfigureWindow(x.conn, x.laser, xproto.ConfigWindowStackMode, []uint32{xproto.StackModeAbove})
	}
	_, err := xproto.GetInputFocus(x.conn).Reply()
	return err
}

// events repaints exposed strokes and raises the overlay over windows that
// appear or move above it.
func (x *X11) events() {
	defer x.wg.Done()
	var exposed []image.Rectangle
	for {
		ev, err := x.conn.WaitForEvent()
		if ev == nil && err == nil {
			return // connection closed
		}
		select {
		case <-x.done:
			return
		default:
		}
		switch e := ev.(type) {
		case xproto.ExposeEvent:
			// Only what was exposed is painted again: growing the shape
			// exposes just the new part, which Draw paints anyway.
			exposed = append(exposed, image.Rect(int(e.X), int(e.Y), int(e.X)+int(e.Width), int(e.Y)+int(e.Height)))
			if e.Count == 0 {
				x.mu.Lock()
				x.repaintLocked(exposed)
				x.mu.Unlock()
				exposed = exposed[:0]
			}
		// Other override-redirect windows (menus, the agent's own
		// indicator) keep their place: raising over them too would start a
		// raising match with any other window that stays on top.
		case xproto.MapNotifyEvent:
			if !e.OverrideRedirect {
				x.raiseOver(e.Window)
			}
		case xproto.ConfigureNotifyEvent:
			if !e.OverrideRedirect && e.AboveSibling != x.draw && e.AboveSibling != x.laser {
				x.raiseOver(e.Window)
			}
		}
	}
}

func (x *X11) raiseOver(w xproto.Window) {
	if w == x.draw || w == x.laser {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	_ = x.raiseLocked()
}

// Close removes the overlay windows and closes the connection. It is idempotent.
func (x *X11) Close() error {
	x.closeMu.Do(func() {
		close(x.done)
		x.mu.Lock()
		xproto.DestroyWindow(x.conn, x.draw)
		xproto.DestroyWindow(x.conn, x.laser)
		xproto.FreePixmap(x.conn, x.stripes)
		_, _ = xproto.GetInputFocus(x.conn).Reply()
		x.mu.Unlock()
		x.conn.Close()
		x.wg.Wait()
	})
	return nil
}

// pixel is c as a pixel value of the TrueColor visual.
func (x *X11) pixel(c color.RGBA) uint32 {
	return scale(c.R, x.masks[0]) | scale(c.G, x.masks[1]) | scale(c.B, x.masks[2])
}

// scale places an 8-bit channel value in mask.
func scale(v uint8, mask uint32) uint32 {
	if mask == 0 {
		return 0
	}
	shift := bits.TrailingZeros32(mask)
	width := bits.OnesCount32(mask)
	var u uint32
	if width >= 8 {
		u = uint32(v) << (width - 8)
	} else {
		u = uint32(v) >> (8 - width)
	}
	return (u << shift) & mask
}
