// Package screen finds the customer's monitors and captures the screen, on
// X11 (screen_linux.go, capture_linux.go, damage_linux.go) and on Windows
// through DXGI Desktop Duplication or GDI (screen_windows.go,
// capture_windows.go, dxgi_windows.go; compose.go holds the duplication's
// OS-free part: changed rectangles and the cursor).
//
// On X11, monitors come in two shapes: heads of one X screen (Xinerama or
// RandR, the usual desktop: one big root window shown on several monitors)
// and separate X screens (":0.0", ":0.1", "Zaphod" multi-head). On Windows
// every monitor is a part of the virtual screen, which is captured whole.
// The first monitor listed is always the whole of what the capture reads
// (X screen 0, or the Windows virtual screen), which the agent streams at
// start.
package screen

import (
	"image"
	"image/color"
)

// Frame is a captured picture as the system wrote it: 32-bit pixels in
// memory order B, G, R, X. Its pixels belong to the Capture and are
// overwritten by the next Read.
type Frame struct {
	Pix    []byte
	Stride int
	Rect   image.Rectangle
	// Seq numbers the captures; a picture handed out again, or captured
	// again unchanged, keeps its Seq.
	Seq uint64
}

// ColorModel, Bounds and At make a Frame an image.Image (At is slow: for
// tests and odd consumers only).
func (f *Frame) ColorModel() color.Model { return color.RGBAModel }
func (f *Frame) Bounds() image.Rectangle { return f.Rect }
func (f *Frame) At(x, y int) color.Color {
	if !(image.Point{x, y}).In(f.Rect) {
		return color.RGBA{}
	}
	i := (y-f.Rect.Min.Y)*f.Stride + (x-f.Rect.Min.X)*4
	return color.RGBA{R: f.Pix[i+2], G: f.Pix[i+1], B: f.Pix[i], A: 0xff}
}

// toRGBA converts BGRX pixels (32-bit little-endian 0xXXRRGGBB) to dst.
func toRGBA(dst *image.RGBA, bgrx []byte, w, h int) {
	for y := 0; y < h; y++ {
		s := bgrx[y*w*4 : (y+1)*w*4]
		d := dst.Pix[y*dst.Stride : y*dst.Stride+w*4]
		for i := 0; i < len(s); i += 4 {
			d[i], d[i+1], d[i+2], d[i+3] = s[i+2], s[i+1], s[i], 0xff
		}
	}
}
