package privacy

import (
	"bytes"
	"fmt"
	"image"
	"slices"
	"sync"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/shape"
	"github.com/jezek/xgb/xproto"

	"github.com/lifeline-support/lifeline/agent/xshape"
)

// X11 is the Desktop of an X display, all of its screens (each at its
// ScreenOrigin), read on a connection of its own. A root window's children
// are its screen's top-level windows, bottom to top (XQueryTree order),
// whether a window manager frames them or not; it learns of their changes
// from the roots' SubstructureNotify events,
// which a goroutine of its own takes as they come (so that none pile up
// while nothing is private), and reads the windows anew only then.
type X11 struct {
	conn   *xgb.Conn
	roots  []xproto.Window // screen n's root is roots[n]
	marker xproto.Window   // unmapped; each Sync changes its property to mark its place among the events
	shape  bool            // the server has SHAPE: shaped windows hide only their shape
	idMask uint32          // the client's part of a window ID is what this mask leaves out
	atoms  struct{ wmState, netWMName, netWMIcon, utf8, mark xproto.Atom }
	done   chan struct{} // closed when the event loop ends
	close  sync.Once
	marks  chan struct{} // receives when the event loop saw a marker

	mu      sync.Mutex // guards the fields below, shared with the event loop
	seen    uint64     // markers the event loop saw
	changed bool       // windows changed since the last Sync
	passed  map[uint64][]image.Rectangle
	dead    bool // the connection is gone

	// Sync's own, under Privacy's lock.
	sent   uint64 // markers Sync sent
	layout Layout
	read   bool // layout was read at least once
}

var (
	_ Desktop = (*X11)(nil)
	_ Icons   = (*X11)(nil)
)

// syncTimeout bounds how long Sync waits for its marker: past it, the
// windows count as unreadable (and the whole frame is masked).
const syncTimeout = 2 * time.Second

// maxPassed bounds the places kept for one window between two Syncs: more
// are merged into the rectangle that holds them all.
const maxPassed = 16

// NewX11 opens display ("" for $DISPLAY) and watches its default screen's
// windows. It fails with ErrNoDisplay without an X server.
func NewX11(display string) (*X11, error) {
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoDisplay, err)
	}
	x := &X11{conn: conn, done: make(chan struct{}), marks: make(chan struct{}, 1)}
	for _, r := range xproto.Setup(conn).Roots {
		x.roots = append(x.roots, r.Root)
	}
	fail := func(what string, err error) (*X11, error) {
		conn.Close()
		return nil, fmt.Errorf("%w: %s: %w", ErrNoDisplay, what, err)
	}
	x.shape = xshape.Use(conn) == nil
	// The server gives every client the same mask (the rest of an ID is
	// the client's base): the IDs of one program's windows share it.
	x.idMask = xproto.Setup(conn).ResourceIdMask
	for _, a := range []struct {
		name string
		to   *xproto.Atom
	}{{"WM_STATE", &x.atoms.wmState}, {"_NET_WM_NAME", &x.atoms.netWMName}, {"_NET_WM_ICON", &x.atoms.netWMIcon}, {"UTF8_STRING", &x.atoms.utf8}, {"_LIFELINE_PRIVACY_SYNC", &x.atoms.mark}} {
		r, err := xproto.InternAtom(conn, false, uint16(len(a.name)), a.name).Reply()
		if err != nil {
			return fail("intern "+a.name, err)
		}
		*a.to = r.Atom
	}
	if x.marker, err = xproto.NewWindowId(conn); err != nil {
		return fail("window id", err)
	}
	if err := xproto.CreateWindowChecked(conn, 0, x.marker, x.roots[0], -1, -1, 1, 1, 0, xproto.WindowClassInputOnly, 0,
		xproto.CwEventMask, []uint32{xproto.EventMaskPropertyChange}).Check(); err != nil {
		return fail("marker window", err)
	}
	for _, root := range x.roots {
		err = xproto.ChangeWindowAttributesChecked(conn, root, xproto.CwEventMask,
			[]uint32{xproto.EventMaskSubstructureNotify | xproto.EventMaskStructureNotify}).Check()
		if err != nil {
			return fail("watch the root window", err)
		}
	}
	go x.loop()
	return x, nil
}

// Close closes the connection and waits for the event loop. It is
// idempotent.
func (x *X11) Close() error {
	x.close.Do(func() { x.conn.Close(); <-x.done })
	return nil
}

// loop takes the connection's events as they come until it closes.
func (x *X11) loop() {
	defer close(x.done)
	for {
		ev, xerr := x.conn.WaitForEvent()
		if ev == nil && xerr == nil { // the connection is gone
			x.mu.Lock()
			x.dead = true
			x.mu.Unlock()
			return
		}
		x.mu.Lock()
		switch e := ev.(type) {
		case xproto.PropertyNotifyEvent:
			if e.Window == x.marker {
				x.seen++
				select {
				case x.marks <- struct{}{}:
				default:
				}
			}
		case xproto.ConfigureNotifyEvent:
			x.changed = true
			if n := slices.Index(x.roots, e.Event); n >= 0 && e.Window != e.Event {
				bw := int(e.BorderWidth)
				x.pass(uint64(e.Window), image.Rect(int(e.X), int(e.Y), int(e.X)+int(e.Width)+2*bw, int(e.Y)+int(e.Height)+2*bw).Add(ScreenOrigin(n)))
			}
		case xproto.MapNotifyEvent, xproto.UnmapNotifyEvent, xproto.DestroyNotifyEvent,
			xproto.ReparentNotifyEvent, xproto.CirculateNotifyEvent, xproto.GravityNotifyEvent:
			x.changed = true
		}
		x.mu.Unlock()
	}
}

// pass records that window w was at r. x.mu must be held.
func (x *X11) pass(w uint64, r image.Rectangle) {
	if x.passed == nil {
		x.passed = map[uint64][]image.Rectangle{}
	}
	rs := append(x.passed[w], r)
	if len(rs) > maxPassed {
		u := rs[0]
		for _, q := range rs[1:] {
			u = u.Union(q)
		}
		rs = []image.Rectangle{u}
	}
	x.passed[w] = rs
}

// Sync changes the marker window's property and waits for the event loop
// to see it: every event the server sent before, so every change drawn
// before the call, has been seen then (X delivers a client's events in
// order). The windows are read anew only after a change.
func (x *X11) Sync() (Layout, error) {
	x.sent++
	var v [4]byte
	xgb.Put32(v[:], uint32(x.sent))
	xproto.ChangeProperty(x.conn, xproto.PropModeReplace, x.marker, x.atoms.mark, xproto.AtomCardinal, 32, 1, v[:])
	timeout := time.NewTimer(syncTimeout)
	defer timeout.Stop()
	for {
		x.mu.Lock()
		seen, dead := x.seen, x.dead
		x.mu.Unlock()
		if dead {
			return Layout{}, fmt.Errorf("%w: the X connection closed", ErrNoDisplay)
		}
		if seen >= x.sent {
			break
		}
		select {
		case <-x.marks:
		case <-x.done:
		case <-timeout.C:
			// A late marker counts toward the next Sync's: markers come in
			// order, one each, so seen >= sent still means "ours was seen".
			return Layout{}, fmt.Errorf("privacy: no answer from the X server in %v", syncTimeout)
		}
	}
	x.mu.Lock()
	changed, passed := x.changed || !x.read, x.passed
	x.changed, x.passed = false, nil
	x.mu.Unlock()
	if changed {
		l, err := x.read1()
		if err != nil {
			x.mu.Lock()
			x.changed = true // read again next time
			x.mu.Unlock()
			return Layout{}, err
		}
		x.layout, x.read = l, true
	}
	l := x.layout
	l.Changed, l.Passed = changed, passed
	return l, nil
}

// read1 reads the top-level windows shown now, each screen's bottom to
// top. Windows that go away meanwhile are left out.
func (x *X11) read1() (Layout, error) {
	rg, err := xproto.GetGeometry(x.conn, xproto.Drawable(x.roots[0])).Reply()
	if err != nil {
		return Layout{}, fmt.Errorf("privacy: screen size: %w", err)
	}
	l := Layout{Screen: image.Rect(0, 0, int(rg.Width), int(rg.Height))}
	for n, root := range x.roots {
		if err := x.readScreen(&l, root, ScreenOrigin(n)); err != nil {
			return Layout{}, err
		}
	}
	return l, nil
}

// readScreen appends to l the top-level windows of root's screen, whose
// top-left corner is at origin, bottom to top.
func (x *X11) readScreen(l *Layout, root xproto.Window, origin image.Point) error {
	tree, err := xproto.QueryTree(x.conn, root).Reply()
	if err != nil {
		return fmt.Errorf("privacy: list windows: %w", err)
	}
	// Ask for every window's attributes and geometry at once, then read.
	attrs := make([]xproto.GetWindowAttributesCookie, len(tree.Children))
	geoms := make([]xproto.GetGeometryCookie, len(tree.Children))
	for i, w := range tree.Children {
		attrs[i] = xproto.GetWindowAttributes(x.conn, w)
		geoms[i] = xproto.GetGeometry(x.conn, xproto.Drawable(w))
	}
	for i, w := range tree.Children {
		a, err1 := attrs[i].Reply()
		g, err2 := geoms[i].Reply()
		if err1 != nil || err2 != nil || a.MapState != xproto.MapStateViewable || a.Class != xproto.WindowClassInputOutput {
			continue
		}
		bw := int(g.BorderWidth)
		t := TopLevel{ID: uint64(w), Frame: uint64(w), Owner: uint64(uint32(w) &^ x.idMask),
			Rect: image.Rect(int(g.X), int(g.Y), int(g.X)+int(g.Width)+2*bw, int(g.Y)+int(g.Height)+2*bw).Add(origin),
			// A 32-bit window may be translucent (a compositor blends it
			// over what is below): it does not count as hiding anything.
			Occludes: !a.OverrideRedirect && g.Depth != 32}
		if t.Occludes && x.shape {
			if e, err := shape.QueryExtents(x.conn, w).Reply(); err == nil && e.BoundingShaped {
				t.Shape = []image.Rectangle{} // shaped: only its rectangles hide
				if r, err := shape.GetRectangles(x.conn, w, shape.SkBounding).Reply(); err == nil {
					o := image.Pt(int(g.X)+bw, int(g.Y)+bw).Add(origin)
					for _, s := range r.Rectangles {
						t.Shape = append(t.Shape, image.Rect(int(s.X), int(s.Y), int(s.X)+int(s.Width), int(s.Y)+int(s.Height)).Add(o))
					}
				}
			}
		}
		if !a.OverrideRedirect {
			if c := x.client(w, 2); c != 0 {
				t.ID, t.Listed, t.Owner = uint64(c), true, uint64(uint32(c)&^x.idMask)
				t.Title, t.Program, t.Names = x.names(c)
				r, err := xproto.GetProperty(x.conn, false, c, x.atoms.netWMIcon, xproto.AtomCardinal, 0, 0).Reply()
				t.Icon = err == nil && r.Format == 32 && r.BytesAfter > 0
			}
		}
		l.Windows = append(l.Windows, t)
	}
	return nil
}

// client returns the application window of top-level w: w itself if it has
// WM_STATE (a window manager manages it) or a WM_CLASS or WM_NAME (no window
// manager), else the first such window among its descendants, depth levels
// down (a window manager's frame); 0 if none.
func (x *X11) client(w xproto.Window, depth int) xproto.Window {
	for _, atom := range []xproto.Atom{x.atoms.wmState, xproto.AtomWmClass, xproto.AtomWmName} {
		if r, err := xproto.GetProperty(x.conn, false, w, atom, xproto.GetPropertyTypeAny, 0, 0).Reply(); err == nil && r.Format != 0 {
			return w
		}
	}
	if depth == 0 {
		return 0
	}
	tree, err := xproto.QueryTree(x.conn, w).Reply()
	if err != nil {
		return 0
	}
	for _, c := range tree.Children {
		if cw := x.client(c, depth-1); cw != 0 {
			return cw
		}
	}
	return 0
}

// names reads window w's title (_NET_WM_NAME, else WM_NAME) and program
// (WM_CLASS: the class, and the instance among other names).
func (x *X11) names(w xproto.Window) (title, program string, others []string) {
	prop := func(atom, typ xproto.Atom) []byte {
		r, err := xproto.GetProperty(x.conn, false, w, atom, typ, 0, 1024).Reply()
		if err != nil || r.Format != 8 {
			return nil
		}
		return r.Value
	}
	title = string(prop(x.atoms.netWMName, x.atoms.utf8))
	if title == "" {
		title = string(prop(xproto.AtomWmName, xproto.GetPropertyTypeAny))
	}
	parts := bytes.Split(bytes.TrimRight(prop(xproto.AtomWmClass, xproto.AtomString), "\x00"), []byte{0})
	switch len(parts) {
	case 0:
	case 1:
		program = string(parts[0])
	default:
		program, others = string(parts[1]), []string{string(parts[0])}
	}
	return title, program, others
}

// maxIcon bounds the _NET_WM_ICON read, in 32-bit values: programs give
// several sizes one after the other (16 to 256 pixels wide, ~87000 values);
// what lies beyond is not read.
const maxIcon = 1 << 17

// Icon returns the picture of window id from its _NET_WM_ICON (width,
// height, then ARGB pixels, for each size): the smallest at least IconSize
// wide, else the largest.
func (x *X11) Icon(id uint64) (image.Image, error) {
	r, err := xproto.GetProperty(x.conn, false, xproto.Window(id), x.atoms.netWMIcon, xproto.AtomCardinal, 0, maxIcon).Reply()
	if err != nil {
		return nil, fmt.Errorf("privacy: icon: %w", err)
	}
	if r.Format != 32 {
		return nil, ErrUnknownWindow
	}
	v := r.Value
	var best []byte
	var bw, bh int
	for len(v) >= 8 {
		w, h := int(xgb.Get32(v)), int(xgb.Get32(v[4:]))
		if w <= 0 || h <= 0 || w > 1024 || h > 1024 || len(v)-8 < w*h*4 {
			break // broken, or cut at maxIcon
		}
		better := best == nil ||
			(bw < IconSize && w > bw) || // larger than a picture too small
			(w >= IconSize && w < bw) // smaller, still large enough
		if better {
			best, bw, bh = v[8:8+w*h*4], w, h
		}
		v = v[8+w*h*4:]
	}
	if best == nil {
		return nil, ErrUnknownWindow
	}
	img := image.NewNRGBA(image.Rect(0, 0, bw, bh))
	for i := 0; i < bw*bh; i++ {
		argb := xgb.Get32(best[i*4:])
		img.Pix[i*4], img.Pix[i*4+1], img.Pix[i*4+2], img.Pix[i*4+3] = byte(argb>>16), byte(argb>>8), byte(argb), byte(argb>>24)
	}
	return img, nil
}

// Focus returns the top-level window that has the keyboard: the focus
// window's ancestor below the root, or, when the focus follows the pointer
// (PointerRoot, or the root itself), the top-level window under the
// pointer.
func (x *X11) Focus() (uint64, error) {
	f, err := xproto.GetInputFocus(x.conn).Reply()
	if err != nil {
		return 0, fmt.Errorf("privacy: input focus: %w", err)
	}
	w := f.Focus
	if w == xproto.InputFocusNone {
		return 0, nil
	}
	if w == xproto.InputFocusPointerRoot || slices.Contains(x.roots, w) {
		// The pointer's screen is the one whose root says "same screen".
		for _, root := range x.roots {
			p, err := xproto.QueryPointer(x.conn, root).Reply()
			if err != nil {
				return 0, fmt.Errorf("privacy: pointer: %w", err)
			}
			if p.SameScreen {
				return uint64(p.Child), nil
			}
		}
		return 0, nil
	}
	for {
		t, err := xproto.QueryTree(x.conn, w).Reply()
		if err != nil {
			return 0, fmt.Errorf("privacy: focus window: %w", err)
		}
		if slices.Contains(x.roots, t.Parent) || t.Parent == 0 {
			return uint64(w), nil
		}
		w = t.Parent
	}
}
