package win32

import (
	"image"
	"image/color"
	"unsafe"
)

var (
	procCreatePen = gdi32.NewProc("CreatePen")
	procPolyline  = gdi32.NewProc("Polyline")
	procEllipse   = gdi32.NewProc("Ellipse")
)

// ColorKey is the colour that a colour-keyed layered window does not show
// (magenta): see ColorKeyed.
var ColorKey = color.RGBA{R: 255, B: 255, A: 255}

// ColorKeyed makes a layered window show nothing where it is ColorKey.
func ColorKeyed(hwnd uintptr) {
	const lwaColorKey = 1
	procSetLayeredWindowAttributes.Call(hwnd, colorRef(ColorKey), 0, lwaColorKey)
}

func colorRef(c color.RGBA) uintptr {
	return uintptr(c.R) | uintptr(c.G)<<8 | uintptr(c.B)<<16
}

// visible returns c, or a colour next to it when c is the colour key (it
// would not show).
func visible(c color.RGBA) color.RGBA {
	if c.R == ColorKey.R && c.G == ColorKey.G && c.B == ColorKey.B {
		c.R--
	}
	return c
}

// Canvas is a w×h picture in a memory DC that GDI draws on and that is
// copied to a window when it is painted. It is not safe for concurrent use.
type Canvas struct {
	shot *Screenshot // its memory DC and DIB section; Grab unused
	key  uintptr     // a ColorKey brush
}

// NewCanvas makes a canvas of w×h filled with ColorKey.
func NewCanvas(w, h int) (*Canvas, error) {
	s, err := NewScreenshot(w, h)
	if err != nil {
		return nil, err
	}
	c := &Canvas{shot: s, key: Brush(ColorKey.R, ColorKey.G, ColorKey.B)}
	c.Clear()
	return c, nil
}

// Clear fills the canvas with ColorKey.
func (c *Canvas) Clear() {
	rc := Rect{0, 0, int32(c.shot.W), int32(c.shot.H)}
	procFillRect.Call(c.shot.mem, uintptr(unsafe.Pointer(&rc)), c.key)
}

// Line draws a polyline of width w in colour col through pts (a single
// point draws a dot).
func (c *Canvas) Line(pts []image.Point, col color.RGBA, w int) {
	if len(pts) == 0 {
		return
	}
	col = visible(col)
	if len(pts) == 1 {
		c.Dot(pts[0], max(w, 1)/2, col)
		return
	}
	pen, _, _ := procCreatePen.Call(0, uintptr(max(w, 1)), colorRef(col)) // PS_SOLID: round ends
	old, _, _ := procSelectObject.Call(c.shot.mem, pen)
	ps := make([]struct{ x, y int32 }, len(pts))
	for i, p := range pts {
		ps[i].x, ps[i].y = int32(p.X), int32(p.Y)
	}
	procPolyline.Call(c.shot.mem, uintptr(unsafe.Pointer(&ps[0])), uintptr(len(ps)))
	procSelectObject.Call(c.shot.mem, old)
	procDeleteObject.Call(pen)
}

// Dot draws a filled disc of radius r centred on p.
func (c *Canvas) Dot(p image.Point, r int, col color.RGBA) {
	dotOn(c.shot.mem, p, r, visible(col))
}

// dotOn draws a filled disc on dc.
func dotOn(dc uintptr, p image.Point, r int, col color.RGBA) {
	br := Brush(col.R, col.G, col.B)
	pen, _, _ := procCreatePen.Call(0, 1, colorRef(col))
	oldB, _, _ := procSelectObject.Call(dc, br)
	oldP, _, _ := procSelectObject.Call(dc, pen)
	procEllipse.Call(dc, uintptr(p.X-r), uintptr(p.Y-r), uintptr(p.X+r+1), uintptr(p.Y+r+1))
	procSelectObject.Call(dc, oldB)
	procSelectObject.Call(dc, oldP)
	procDeleteObject.Call(br)
	procDeleteObject.Call(pen)
}

// CopyTo copies the canvas onto dc at 0,0.
func (c *Canvas) CopyTo(dc uintptr) {
	const srcCopy = 0x00CC0020
	procBitBlt.Call(dc, 0, 0, uintptr(c.shot.W), uintptr(c.shot.H), c.shot.mem, 0, 0, srcCopy)
}

// Dot draws a filled disc of radius r in colour col centred on p of dc.
func Dot(dc uintptr, p image.Point, r int, col color.RGBA) { dotOn(dc, p, r, visible(col)) }

// Close frees the canvas.
func (c *Canvas) Close() {
	c.shot.Close()
	procDeleteObject.Call(c.key)
}
