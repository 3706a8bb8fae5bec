package screen

import (
	"image"
	"testing"
)

// solid returns a w×h BGRX picture of one colour.
func solid(w, h int, b, g, r byte) []byte {
	pix := make([]byte, w*h*4)
	for i := 0; i < len(pix); i += 4 {
		pix[i], pix[i+1], pix[i+2] = b, g, r
	}
	return pix
}

// px returns the B, G, R of pixel x, y of a picture stride bytes a row.
func px(pix []byte, stride, x, y int) [3]byte {
	i := y*stride + x*4
	return [3]byte{pix[i], pix[i+1], pix[i+2]}
}

// What Windows reports changed on an output becomes the rectangles to copy
// in the composed screen: dirty rectangles and the destinations of moved
// ones, placed where the output sits and clipped to it.
func TestChangedRectsPlacesAndClipsWhatWindowsReports(t *testing.T) {
	second := image.Rect(800, 0, 1440, 480) // an output right of an 800-wide one
	tests := []struct {
		name         string
		dirty, moved []image.Rectangle
		at           image.Point
		bounds       image.Rectangle
		want         []image.Rectangle
	}{
		{"nothing changed", nil, nil, image.Point{}, image.Rect(0, 0, 800, 600), []image.Rectangle{}},
		{"a dirty rectangle", []image.Rectangle{image.Rect(10, 20, 30, 40)}, nil, image.Point{}, image.Rect(0, 0, 800, 600),
			[]image.Rectangle{image.Rect(10, 20, 30, 40)}},
		{"a moved rectangle's destination (a window dragged)", nil, []image.Rectangle{image.Rect(100, 100, 300, 200)}, image.Point{}, image.Rect(0, 0, 800, 600),
			[]image.Rectangle{image.Rect(100, 100, 300, 200)}},
		{"on the second output", []image.Rectangle{image.Rect(0, 0, 10, 10)}, []image.Rectangle{image.Rect(600, 400, 700, 500)}, second.Min, second,
			[]image.Rectangle{image.Rect(800, 0, 810, 10), image.Rect(1400, 400, 1440, 480)}},
		{"beyond the output, empty", []image.Rectangle{image.Rect(900, 700, 950, 750), image.Rect(5, 5, 5, 9)}, nil, image.Point{}, image.Rect(0, 0, 800, 600),
			[]image.Rectangle{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := changedRects(tt.dirty, tt.moved, tt.at, tt.bounds)
			if len(got) != len(tt.want) {
				t.Fatalf("changedRects = %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("changedRects = %v, want %v", got, tt.want)
				}
			}
		})
	}
}

// Only the changed rectangles are copied from the output's image: the rest
// of the composed screen keeps what it showed, and a frame with nothing
// changed (no rectangle, the pointer still) counts as unchanged.
func TestComposerCopiesOnlyWhatChanged(t *testing.T) {
	var c composer
	c.reset(64, 32)
	blue := solid(64, 32, 0xff, 0, 0)
	c.update(blue, 64*4, image.Point{}, []image.Rectangle{c.rect})
	if !c.finish() {
		t.Fatal("the first picture did not count as a change")
	}
	if c.finish() {
		t.Fatal("a frame with nothing changed counted as a change")
	}

	red := solid(64, 32, 0, 0, 0xff)
	rects := changedRects([]image.Rectangle{image.Rect(8, 4, 16, 12)}, nil, image.Point{}, c.rect)
	if !c.update(red, 64*4, image.Point{}, rects) || !c.finish() {
		t.Fatal("a dirty rectangle did not count as a change")
	}
	if got := px(c.out, c.stride, 10, 6); got != [3]byte{0, 0, 0xff} {
		t.Errorf("inside the dirty rectangle: %v, want red", got)
	}
	for _, p := range []image.Point{{7, 6}, {16, 6}, {10, 3}, {10, 12}, {63, 31}} {
		if got := px(c.out, c.stride, p.X, p.Y); got != [3]byte{0xff, 0, 0} {
			t.Errorf("at %v, outside the dirty rectangle: %v, want the blue it showed", p, got)
		}
	}
}

// A second output's image lands at its place in the composed screen.
func TestComposerPlacesEachOutput(t *testing.T) {
	var c composer
	c.reset(48, 16) // two outputs of 24×16 side by side
	left, right := solid(24, 16, 0xff, 0, 0), solid(24, 16, 0, 0xff, 0)
	c.update(left, 24*4, image.Point{}, changedRects([]image.Rectangle{image.Rect(0, 0, 24, 16)}, nil, image.Point{}, image.Rect(0, 0, 24, 16)))
	at := image.Pt(24, 0)
	c.update(right, 24*4, at, changedRects([]image.Rectangle{image.Rect(0, 0, 24, 16)}, nil, at, image.Rect(24, 0, 48, 16)))
	c.finish()
	if got := px(c.out, c.stride, 23, 8); got != [3]byte{0xff, 0, 0} {
		t.Errorf("left output's last column: %v, want blue", got)
	}
	if got := px(c.out, c.stride, 24, 8); got != [3]byte{0, 0xff, 0} {
		t.Errorf("right output's first column: %v, want green", got)
	}
}

// The cursor is drawn in as Windows draws each kind of shape, and taken
// away from where it was when it moves or hides: the screen under it comes
// back.
func TestComposerDrawsTheCursor(t *testing.T) {
	grey := solid(32, 32, 0x80, 0x80, 0x80)
	var c composer
	c.reset(32, 32)
	c.update(grey, 32*4, image.Point{}, []image.Rectangle{c.rect})

	// A 2×2 colour cursor: opaque red, transparent, half-transparent white,
	// opaque black.
	c.setShape(cursorShape{kind: cursorColor, w: 2, h: 2, pitch: 8, pix: []byte{
		0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0,
		0xff, 0xff, 0xff, 0x80, 0, 0, 0, 0xff,
	}})
	c.setPointer(image.Pt(10, 10), true)
	if !c.finish() {
		t.Fatal("the pointer appearing did not count as a change")
	}
	for _, tc := range []struct {
		x, y int
		want [3]byte
	}{{10, 10, [3]byte{0, 0, 0xff}}, {11, 10, [3]byte{0x80, 0x80, 0x80}}, {10, 11, [3]byte{0xc0, 0xc0, 0xc0}}, {11, 11, [3]byte{0, 0, 0}}, {12, 12, [3]byte{0x80, 0x80, 0x80}}} {
		if got := px(c.out, c.stride, tc.x, tc.y); got != tc.want {
			t.Errorf("colour cursor at %d,%d: %v, want %v", tc.x, tc.y, got, tc.want)
		}
	}

	// Moved: drawn at the new place, the old one shows the screen again.
	c.setPointer(image.Pt(20, 4), true)
	if !c.finish() {
		t.Fatal("the pointer moving did not count as a change")
	}
	if got := px(c.out, c.stride, 10, 10); got != [3]byte{0x80, 0x80, 0x80} {
		t.Errorf("where the cursor was: %v, want the screen's grey", got)
	}
	if got := px(c.out, c.stride, 20, 4); got != [3]byte{0, 0, 0xff} {
		t.Errorf("where the cursor is: %v, want its red", got)
	}
	// The screen under the cursor changing keeps the cursor on top.
	c.update(solid(32, 32, 0, 0xff, 0), 32*4, image.Point{}, []image.Rectangle{image.Rect(18, 2, 24, 8)})
	c.finish()
	if got := px(c.out, c.stride, 20, 4); got != [3]byte{0, 0, 0xff} {
		t.Errorf("cursor after the screen under it changed: %v, want its red", got)
	}
	if got := px(c.out, c.stride, 21, 4); got != [3]byte{0, 0xff, 0} {
		t.Errorf("the transparent cursor pixel over the new green: %v", got)
	}

	// Monochrome, 8 pixels wide: the AND mask's row above the XOR mask's.
	// AND 0 XOR 0 black, AND 0 XOR 1 white, AND 1 XOR 0 the screen, AND 1
	// XOR 1 the screen inverted.
	c.setShape(cursorShape{kind: cursorMonochrome, w: 4, h: 1, pitch: 1, pix: []byte{0b0011_0000, 0b0101_0000}})
	c.setPointer(image.Pt(0, 0), true)
	c.finish()
	for x, want := range [][3]byte{{0, 0, 0}, {0xff, 0xff, 0xff}, {0x80, 0x80, 0x80}, {0x7f, 0x7f, 0x7f}} {
		if got := px(c.out, c.stride, x, 0); got != want {
			t.Errorf("monochrome cursor pixel %d: %v, want %v", x, got, want)
		}
	}
	if got := px(c.out, c.stride, 20, 4); got != [3]byte{0, 0xff, 0} {
		t.Errorf("the colour cursor was left behind at its old place: %v", got)
	}

	// Masked colour: mask 0 puts the colour, 0xFF XORs it.
	c.setShape(cursorShape{kind: cursorMaskedColor, w: 2, h: 1, pitch: 8, pix: []byte{0x10, 0x20, 0x30, 0, 0xff, 0xff, 0xff, 0xff}})
	c.finish()
	if got := px(c.out, c.stride, 0, 0); got != [3]byte{0x10, 0x20, 0x30} {
		t.Errorf("masked colour, mask 0: %v, want the colour", got)
	}
	if got := px(c.out, c.stride, 1, 0); got != [3]byte{0x7f, 0x7f, 0x7f} {
		t.Errorf("masked colour, mask 0xFF: %v, want the screen inverted", got)
	}

	// Hidden: the screen shows again; a cursor half off the screen is
	// clipped.
	c.setPointer(image.Pt(0, 0), false)
	c.finish()
	if got := px(c.out, c.stride, 0, 0); got != [3]byte{0x80, 0x80, 0x80} {
		t.Errorf("the hidden cursor is still drawn: %v", got)
	}
	c.setPointer(image.Pt(31, 31), true)
	c.finish()
	if got := px(c.out, c.stride, 31, 31); got != [3]byte{0x10, 0x20, 0x30} {
		t.Errorf("cursor at the screen's corner: %v", got)
	}
}

// The frame handed out is the consumer's to paint over (the privacy mask
// hides windows in it): the next changed frame shows the screen again
// everywhere, not the paint where nothing changed.
func TestComposerFrameMayBePaintedOver(t *testing.T) {
	var c composer
	c.reset(16, 16)
	c.update(solid(16, 16, 0xff, 0, 0), 16*4, image.Point{}, []image.Rectangle{c.rect})
	c.finish()
	clear(c.out) // the mask, painted black over the whole frame

	c.update(solid(16, 16, 0xff, 0, 0), 16*4, image.Point{}, []image.Rectangle{image.Rect(0, 0, 2, 2)})
	if !c.finish() {
		t.Fatal("a dirty rectangle did not count as a change")
	}
	if got := px(c.out, c.stride, 8, 8); got != [3]byte{0xff, 0, 0} {
		t.Errorf("outside the dirty rectangle the consumer's paint stayed: %v, want the screen's blue", got)
	}
}
