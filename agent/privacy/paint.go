package privacy

import (
	"image"
	"image/draw"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// The neutral pattern: diagonal stripes of two greys, stripe pixels wide.
// Grey has equal red, green and blue, so the same bytes are right in BGRX
// (the capture) and RGBA (a screenshot); the fourth byte is 0xff in both.
const (
	stripe    = 8
	greyDark  = 0x5a
	greyLight = 0x6e
	inkLight  = 0xf0 // the lock and label
	inkShadow = 0x30 // their outline, so they read on both greys
)

// painter paints masks into 32-bit frames. It is not safe for concurrent
// use; Privacy holds its lock.
type painter struct {
	row   []byte       // the pattern for one row, 2*stripe pixels longer than the widest frame
	label *image.Alpha // the lock and the words, drawn once per language
	text  string
}

// ensure makes the pattern row cover frames w pixels wide, and the label
// show text.
func (p *painter) ensure(w int, text string) {
	if n := (w + 2*stripe) * 4; len(p.row) < n {
		p.row = make([]byte, n)
		for x := 0; x < n/4; x++ {
			v := byte(greyDark)
			if (x/stripe)%2 == 1 {
				v = greyLight
			}
			p.row[x*4], p.row[x*4+1], p.row[x*4+2], p.row[x*4+3] = v, v, v, 0xff
		}
	}
	if p.label == nil || p.text != text {
		p.label, p.text = drawLabel(text), text
	}
}

// paint covers pieces (clipped to bounds) of the 32-bit frame pix with the
// pattern, and draws the label at the centre of each of labels (the whole
// private windows), clipped to the pieces.
func (p *painter) paint(pix []byte, stride int, bounds image.Rectangle, pieces, labels []image.Rectangle) {
	for _, r := range pieces {
		r = r.Intersect(bounds)
		if r.Empty() {
			continue
		}
		x0 := (r.Min.X - bounds.Min.X) * 4
		n := r.Dx() * 4
		for y := r.Min.Y; y < r.Max.Y; y++ {
			off := (y-bounds.Min.Y)*stride + x0
			phase := ((y%(2*stripe))+2*stripe)%(2*stripe) + r.Min.X - bounds.Min.X
			copy(pix[off:off+n], p.row[phase*4:phase*4+n])
		}
	}
	if p.label == nil {
		return
	}
	lb := p.label.Bounds()
	for _, w := range labels {
		c := image.Pt((w.Min.X+w.Max.X)/2, (w.Min.Y+w.Max.Y)/2)
		at := lb.Add(c.Sub(image.Pt(lb.Dx()/2, lb.Dy()/2)))
		if at.Dx() > w.Dx() || at.Dy() > w.Dy() {
			continue // too small a window for the label: the pattern says it
		}
		for _, r := range pieces {
			r = r.Intersect(at).Intersect(bounds)
			for y := r.Min.Y; y < r.Max.Y; y++ {
				off := (y-bounds.Min.Y)*stride + (r.Min.X-bounds.Min.X)*4
				a := p.label.Pix[(y-at.Min.Y)*p.label.Stride+(r.Min.X-at.Min.X):]
				for x := 0; x < r.Dx(); x++ {
					switch a[x] {
					case 0:
						continue
					case 1:
						pix[off+x*4], pix[off+x*4+1], pix[off+x*4+2] = inkShadow, inkShadow, inkShadow
					default:
						pix[off+x*4], pix[off+x*4+1], pix[off+x*4+2] = inkLight, inkLight, inkLight
					}
				}
			}
		}
	}
}

// drawLabel draws a padlock above text, twice the size of basicfont's 7x13
// face, as a map of 0 (nothing), 1 (outline) and 2 (ink).
func drawLabel(text string) *image.Alpha {
	face := basicfont.Face7x13
	tw := font.MeasureString(face, text).Ceil()
	const lockW, lockH = 14, 18
	w, h := max(tw, lockW)+2, lockH+4+13+2
	small := image.NewAlpha(image.Rect(0, 0, w, h))
	// The padlock: a shackle (an open ring) over a body.
	lx := (w - lockW) / 2
	fill := func(r image.Rectangle) {
		draw.Draw(small, r, image.NewUniform(image.Opaque.C), image.Point{}, draw.Src)
	}
	fill(image.Rect(lx, 8, lx+lockW, lockH+1))                                                   // body
	fill(image.Rect(lx+2, 1, lx+4, 8))                                                           // shackle, left
	fill(image.Rect(lx+lockW-4, 1, lx+lockW-2, 8))                                               // shackle, right
	fill(image.Rect(lx+3, 0, lx+lockW-3, 2))                                                     // shackle, top
	draw.Draw(small, image.Rect(lx+6, 11, lx+8, 15), image.Transparent, image.Point{}, draw.Src) // keyhole
	d := font.Drawer{Dst: small, Src: image.Opaque, Face: face,
		Dot: fixed.P((w-tw)/2, lockH+4+face.Ascent)}
	d.DrawString(text)
	// Twice the size, ink 2, and a one-pixel outline of 1 around it.
	big := image.NewAlpha(image.Rect(0, 0, 2*w+2, 2*h+2))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if small.AlphaAt(x, y).A < 0x80 {
				continue
			}
			for dy := 0; dy < 2; dy++ {
				for dx := 0; dx < 2; dx++ {
					big.Pix[(2*y+1+dy)*big.Stride+2*x+1+dx] = 2
				}
			}
		}
	}
	for y := 0; y < big.Rect.Dy(); y++ {
		for x := 0; x < big.Rect.Dx(); x++ {
			if big.Pix[y*big.Stride+x] != 0 {
				continue
			}
			for _, d := range [4][2]int{{-1, 0}, {1, 0}, {0, -1}, {0, 1}} {
				nx, ny := x+d[0], y+d[1]
				if nx >= 0 && ny >= 0 && nx < big.Rect.Dx() && ny < big.Rect.Dy() && big.Pix[ny*big.Stride+nx] == 2 {
					big.Pix[y*big.Stride+x] = 1
					break
				}
			}
		}
	}
	return big
}
