package screen

import "image"

// This file holds what DXGI Desktop Duplication (capture_windows.go) needs
// that does not touch the operating system, so that it is tested on every
// platform: which parts of the picture changed, from the dirty and moved
// rectangles Windows reports, and the cursor drawn in (a duplicated desktop
// image has no cursor: Windows hands its shape and position apart).

// Pointer shape kinds, as DXGI_OUTDUPL_POINTER_SHAPE_TYPE numbers them.
const (
	// cursorMonochrome: 1 bit per pixel, the AND mask's rows above the XOR
	// mask's (the shape's height counts both).
	cursorMonochrome = 1
	// cursorColor: 32-bit BGRA, blended by its alpha.
	cursorColor = 2
	// cursorMaskedColor: 32-bit BGRX whose top byte is a mask: 0 puts the
	// colour, 0xFF XORs it with the screen.
	cursorMaskedColor = 4
)

// cursorShape is a pointer shape as Windows hands it (GetFramePointerShape).
type cursorShape struct {
	kind  int
	w, h  int // h is the picture's height (for monochrome, half the mask's rows)
	pitch int
	pix   []byte
}

// composer keeps the duplicated desktop: desk, the screen as Windows last
// reported it (no cursor), and out, the frame handed out: desk with the
// cursor drawn in. Both are BGRX, rect.Dx()*4 bytes a row, rect at 0,0.
// out is the consumer's to paint over (the privacy mask does): each change
// makes it again from desk whole (a memory copy; what comes from the
// graphics card is only the changed rectangles).
type composer struct {
	desk, out []byte
	stride    int
	rect      image.Rectangle

	shape   cursorShape
	pos     image.Point // the shape's top-left corner, in out
	visible bool
	dirty   bool // desk or the cursor changed since the last finish
}

// reset sizes the composer for a w×h screen; everything counts as changed.
func (c *composer) reset(w, h int) {
	c.rect = image.Rect(0, 0, w, h)
	c.stride = w * 4
	if n := c.stride * h; cap(c.desk) >= n {
		c.desk, c.out = c.desk[:n], c.out[:n]
		clear(c.desk)
		clear(c.out)
	} else {
		c.desk, c.out = make([]byte, n), make([]byte, n)
	}
	c.dirty = true
}

// changedRects turns what Windows reports for one output into the
// rectangles of the composed screen to copy: each dirty rectangle and each
// moved rectangle's destination (the image already shows the move),
// offset by the output's place at and clipped to bounds (the output's own
// rectangle there). Empty ones are left out.
func changedRects(dirty, moved []image.Rectangle, at image.Point, bounds image.Rectangle) []image.Rectangle {
	out := make([]image.Rectangle, 0, len(dirty)+len(moved))
	for _, list := range [][]image.Rectangle{dirty, moved} {
		for _, r := range list {
			r = r.Add(at).Intersect(bounds)
			if !r.Empty() {
				out = append(out, r)
			}
		}
	}
	return out
}

// update copies the rectangles rects (in the composed screen) of one
// output's image src (pitch bytes a row, its top-left corner at at in the
// composed screen) into desk. It reports whether any did.
func (c *composer) update(src []byte, pitch int, at image.Point, rects []image.Rectangle) bool {
	any := false
	for _, r := range rects {
		r = r.Intersect(c.rect)
		if r.Empty() {
			continue
		}
		n := r.Dx() * 4
		for y := r.Min.Y; y < r.Max.Y; y++ {
			s := (y-at.Y)*pitch + (r.Min.X-at.X)*4
			if s < 0 || s+n > len(src) {
				continue // outside the output: never with rects from changedRects
			}
			d := y*c.stride + r.Min.X*4
			copy(c.desk[d:d+n], src[s:s+n])
		}
		any = true
	}
	if any {
		c.dirty = true
	}
	return any
}

// setShape takes a new pointer shape (pix is copied).
func (c *composer) setShape(s cursorShape) {
	s.pix = append([]byte(nil), s.pix...)
	c.shape = s
	c.dirty = true
}

// setPointer places the pointer: its shape's top-left corner at pos, in the
// composed screen.
func (c *composer) setPointer(pos image.Point, visible bool) {
	if pos != c.pos || visible != c.visible {
		c.pos, c.visible = pos, visible
		c.dirty = true
	}
}

// finish makes out again, desk with the cursor drawn where it is now, if
// anything changed since the last finish, and reports whether it did.
func (c *composer) finish() bool {
	if !c.dirty {
		return false
	}
	c.dirty = false
	copy(c.out, c.desk)
	if c.visible && c.shape.w > 0 && c.shape.h > 0 {
		drawCursor(c.out, c.stride, c.rect, c.pos, &c.shape)
	}
	return true
}

// drawCursor draws shape with its top-left corner at pos into dst (BGRX,
// stride bytes a row, covering bounds at 0,0) as Windows draws each kind,
// clipped to bounds.
func drawCursor(dst []byte, stride int, bounds image.Rectangle, pos image.Point, s *cursorShape) {
	r := image.Rectangle{Min: pos, Max: pos.Add(image.Pt(s.w, s.h))}.Intersect(bounds)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		sy := y - pos.Y
		for x := r.Min.X; x < r.Max.X; x++ {
			sx := x - pos.X
			d := dst[y*stride+x*4 : y*stride+x*4+3]
			switch s.kind {
			case cursorMonochrome:
				bit := byte(0x80) >> (sx % 8)
				and := s.pix[sy*s.pitch+sx/8]&bit != 0
				xor := s.pix[(sy+s.h)*s.pitch+sx/8]&bit != 0
				for i := range d {
					v := d[i]
					if !and {
						v = 0
					}
					if xor {
						v ^= 0xff
					}
					d[i] = v
				}
			case cursorColor:
				p := s.pix[sy*s.pitch+sx*4 : sy*s.pitch+sx*4+4]
				a := uint32(p[3])
				for i := range d {
					d[i] = byte((uint32(p[i])*a + uint32(d[i])*(255-a) + 127) / 255)
				}
			case cursorMaskedColor:
				p := s.pix[sy*s.pitch+sx*4 : sy*s.pitch+sx*4+4]
				for i := range d {
					if p[3] == 0 {
						d[i] = p[i]
					} else {
						d[i] ^= p[i]
					}
				}
			}
		}
	}
}
