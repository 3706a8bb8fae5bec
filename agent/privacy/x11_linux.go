package privacy

import (
	"bytes"
	"fmt"
	"image"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/shape"
	"github.com/jezek/xgb/xproto"

	"github.com/lifeline-support/lifeline/agent/xshape"
)

// X11 is the Desktop of an X display's default screen, read on a connection
// of its own. The root window's children are its top-level windows, bottom
// to top (XQueryTree order), whether a window manager frames them or not;
// it learns of their changes from the root's SubstructureNotify events and
// reads them anew only then. Its methods are called one at a time.
type X11 struct {
	conn  *xgb.Conn
	root  xproto.Window
	shape bool // the server has SHAPE: shaped windows hide only their shape
	atoms struct{ wmState, netWMName, utf8 xproto.Atom }

	layout Layout
	read   bool // layout was read at least once
}

var _ Desktop = (*X11)(nil)

// NewX11 opens display ("" for $DISPLAY) and watches its default screen's
// windows. It fails with ErrNoDisplay without an X server.
func NewX11(display string) (*X11, error) {
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoDisplay, err)
	}
	x := &X11{conn: conn, root: xproto.Setup(conn).DefaultScreen(conn).Root}
	x.shape = xshape.Use(conn) == nil
	for _, a := range []struct {
		name string
		to   *xproto.Atom
	}{{"WM_STATE", &x.atoms.wmState}, {"_NET_WM_NAME", &x.atoms.netWMName}, {"UTF8_STRING", &x.atoms.utf8}} {
		r, err := xproto.InternAtom(conn, false, uint16(len(a.name)), a.name).Reply()
		if err != nil {
			conn.Close()
			return nil, fmt.Errorf("%w: intern %s: %w", ErrNoDisplay, a.name, err)
		}
		*a.to = r.Atom
	}
	err = xproto.ChangeWindowAttributesChecked(conn, x.root, xproto.CwEventMask,
		[]uint32{xproto.EventMaskSubstructureNotify | xproto.EventMaskStructureNotify}).Check()
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("%w: watch the root window: %w", ErrNoDisplay, err)
	}
	return x, nil
}

// Close closes the connection.
func (x *X11) Close() error { x.conn.Close(); return nil }

// Sync makes one round trip: every event the server sent before its reply
// has arrived then, so a change drawn before the call is seen. The windows
// are read anew only after a change.
func (x *X11) Sync() (Layout, error) {
	if _, err := xproto.GetInputFocus(x.conn).Reply(); err != nil {
		return Layout{}, fmt.Errorf("privacy: X round trip: %w", err)
	}
	changed := !x.read
	var passed map[uint64][]image.Rectangle
	for {
		ev, _ := x.conn.PollForEvent()
		if ev == nil {
			break // errors of requests nobody checks come as (nil, err)
		}
		switch e := ev.(type) {
		case xproto.ConfigureNotifyEvent:
			changed = true
			if e.Window != x.root {
				if passed == nil {
					passed = map[uint64][]image.Rectangle{}
				}
				bw := int(e.BorderWidth)
				passed[uint64(e.Window)] = append(passed[uint64(e.Window)],
					image.Rect(int(e.X), int(e.Y), int(e.X)+int(e.Width)+2*bw, int(e.Y)+int(e.Height)+2*bw))
			}
		case xproto.MapNotifyEvent, xproto.UnmapNotifyEvent, xproto.DestroyNotifyEvent,
			xproto.ReparentNotifyEvent, xproto.CirculateNotifyEvent, xproto.GravityNotifyEvent:
			changed = true
		}
	}
	if changed {
		l, err := x.read1()
		if err != nil {
			return Layout{}, err
		}
		x.layout, x.read = l, true
	}
	l := x.layout
	l.Changed, l.Passed = changed, passed
	return l, nil
}

// read1 reads the top-level windows shown now, bottom to top. Windows that
// go away meanwhile are left out.
func (x *X11) read1() (Layout, error) {
	tree, err := xproto.QueryTree(x.conn, x.root).Reply()
	if err != nil {
		return Layout{}, fmt.Errorf("privacy: list windows: %w", err)
	}
	rg, err := xproto.GetGeometry(x.conn, xproto.Drawable(x.root)).Reply()
	if err != nil {
		return Layout{}, fmt.Errorf("privacy: screen size: %w", err)
	}
	l := Layout{Screen: image.Rect(0, 0, int(rg.Width), int(rg.Height))}
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
		t := TopLevel{ID: uint64(w), Frame: uint64(w),
			Rect: image.Rect(int(g.X), int(g.Y), int(g.X)+int(g.Width)+2*bw, int(g.Y)+int(g.Height)+2*bw),
			// A 32-bit window may be translucent (a compositor blends it
			// over what is below): it does not count as hiding anything.
			Occludes: !a.OverrideRedirect && g.Depth != 32}
		if t.Occludes && x.shape {
			if e, err := shape.QueryExtents(x.conn, w).Reply(); err == nil && e.BoundingShaped {
				t.Shape = []image.Rectangle{} // shaped: only its rectangles hide
				if r, err := shape.GetRectangles(x.conn, w, shape.SkBounding).Reply(); err == nil {
					o := image.Pt(int(g.X)+bw, int(g.Y)+bw)
					for _, s := range r.Rectangles {
						t.Shape = append(t.Shape, image.Rect(int(s.X), int(s.Y), int(s.X)+int(s.Width), int(s.Y)+int(s.Height)).Add(o))
					}
				}
			}
		}
		if !a.OverrideRedirect {
			if c := x.client(w, 2); c != 0 {
				t.ID, t.Listed = uint64(c), true
				t.Title, t.Program, t.Names = x.names(c)
			}
		}
		l.Windows = append(l.Windows, t)
	}
	return l, nil
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
	if w == xproto.InputFocusPointerRoot || w == x.root {
		p, err := xproto.QueryPointer(x.conn, x.root).Reply()
		if err != nil {
			return 0, fmt.Errorf("privacy: pointer: %w", err)
		}
		return uint64(p.Child), nil
	}
	for {
		t, err := xproto.QueryTree(x.conn, w).Reply()
		if err != nil {
			return 0, fmt.Errorf("privacy: focus window: %w", err)
		}
		if t.Parent == x.root || t.Parent == 0 {
			return uint64(w), nil
		}
		w = t.Parent
	}
}
