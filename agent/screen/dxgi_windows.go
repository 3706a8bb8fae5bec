package screen

import (
	"errors"
	"fmt"
	"image"

	"github.com/lifeline-support/lifeline/agent/win32"
)

// errResized means the virtual screen changed size or shape since the
// duplication began: it must begin again.
var errResized = errors.New("screen: the virtual screen changed")

// duplicator reads the virtual screen with DXGI Desktop Duplication: each
// output's dirty and moved rectangles are copied into the composed screen,
// with the cursor drawn in (compose.go). A still screen costs one call per
// output and no copy.
type duplicator struct {
	d       *win32.Duplication
	virtual win32.Rect
	comp    composer
	fresh   []bool // the output's next image counts as changed whole (after it is duplicated)
	pointer int    // the output the pointer was last seen on, -1 before
}

// openDuplicator duplicates the outputs of the default adapter; they must
// make up the whole virtual screen (monitors on a second graphics adapter
// are not duplicated: GDI reads those).
func openDuplicator() (*duplicator, error) {
	v := win32.VirtualScreen()
	w, h := int(v.Right-v.Left), int(v.Bottom-v.Top)
	if w <= 0 || h <= 0 {
		return nil, ErrNoDisplay
	}
	d, err := win32.OpenDuplication()
	if err != nil {
		return nil, err
	}
	area := 0
	for _, o := range d.Outputs {
		r := rectOf(o.Desktop).Intersect(rectOf(v))
		area += r.Dx() * r.Dy()
	}
	if area != w*h {
		d.Close()
		return nil, fmt.Errorf("screen: the duplicated outputs cover %d of the virtual screen's %d pixels (monitors on another graphics adapter)", area, w*h)
	}
	u := &duplicator{d: d, virtual: v, fresh: make([]bool, len(d.Outputs)), pointer: -1}
	for i := range u.fresh {
		u.fresh[i] = true
	}
	u.comp.reset(w, h)
	return u, nil
}

func rectOf(r win32.Rect) image.Rectangle {
	return image.Rect(int(r.Left), int(r.Top), int(r.Right), int(r.Bottom))
}

// read takes each output's news (nothing waits: a still screen returns at
// once) and reports whether the composed screen changed. An output whose
// duplication was lost is duplicated again; the error wraps
// win32.ErrAccessLost while that fails (the secure desktop).
func (u *duplicator) read() (bool, error) {
	if win32.VirtualScreen() != u.virtual {
		return false, errResized
	}
	origin := image.Pt(int(u.virtual.Left), int(u.virtual.Top))
	for i, o := range u.d.Outputs {
		f, err := o.Acquire(0)
		if errors.Is(err, win32.ErrAccessLost) {
			if err := o.Reopen(); err != nil {
				return false, err
			}
			u.fresh[i] = true
			if f, err = o.Acquire(0); err != nil {
				return false, err
			}
		} else if err != nil {
			return false, err
		}
		if f == nil {
			continue // nothing new on this output
		}
		bounds := rectOf(o.Desktop).Sub(origin)
		if f.Shape != nil {
			s := cursorShape{kind: f.Shape.Type, w: f.Shape.Width, h: f.Shape.Height, pitch: f.Shape.Pitch, pix: f.Shape.Pix}
			if s.kind == cursorMonochrome {
				s.h /= 2 // the AND mask's rows, then the XOR mask's
			}
			u.comp.setShape(s)
		}
		if f.PointerMoved && (f.PointerVisible || u.pointer == i) {
			// An output without the pointer says it is hidden there: only
			// the output it was on may hide it.
			u.comp.setPointer(f.Pointer.Add(bounds.Min), f.PointerVisible)
			u.pointer = i
		}
		if f.Pix != nil {
			rects := changedRects(f.Dirty, f.Moved, bounds.Min, bounds)
			if u.fresh[i] {
				rects, u.fresh[i] = []image.Rectangle{bounds}, false
			}
			u.comp.update(f.Pix, f.Pitch, bounds.Min, rects)
		}
		o.Release()
	}
	return u.comp.finish(), nil
}

// close ends the duplication.
func (u *duplicator) close() { u.d.Close() }
