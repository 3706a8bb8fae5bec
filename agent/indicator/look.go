package indicator

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gomedium"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Frame is the width of the coloured frame around the screen, in pixels.
const Frame = 4

// Badge geometry: the badge is BadgeHeight high with padding pixels on each
// side of its text and of its End button; it starts in the bottom right
// corner, Margin pixels from the right edge and BottomMargin from the bottom
// (above a task bar), away from the title bars at the top of windows.
const (
	BadgeHeight  = 32
	padding      = 12
	Margin       = 16
	BottomMargin = 56
	fontSize     = 15
	// dragSlop is how far, in pixels, the pointer moves on the badge
	// before a press is a drag rather than a click.
	dragSlop = 4
)

// Colours (RGB): the frame and badge while viewed, while controlled, the
// badge alone while the technician's connection is lost or on hold, and the
// End button asking for its second click.
var (
	viewedRGB     = [3]uint8{255, 140, 0}
	controlledRGB = [3]uint8{220, 0, 0}
	lostRGB       = [3]uint8{110, 110, 110}
	heldRGB       = [3]uint8{40, 90, 190}
	confirmRGB    = [3]uint8{120, 0, 0}
)

// placed is where a badge bw wide goes: its bottom right corner at corner,
// the whole badge within screen.
func placed(corner image.Point, bw int, screen image.Rectangle) image.Rectangle {
	x := min(max(corner.X-bw, screen.Min.X), screen.Max.X-bw)
	y := min(max(corner.Y-BadgeHeight, screen.Min.Y), screen.Max.Y-BadgeHeight)
	return image.Rect(x, y, x+bw, y+BadgeHeight)
}

// rgbOf is the colour of state s.
func rgbOf(s State) [3]uint8 {
	switch s {
	case Controlled:
		return controlledRGB
	case Lost:
		return lostRGB
	case Held:
		return heldRGB
	}
	return viewedRGB
}

var (
	faceOnce sync.Once
	face     font.Face
	faceErr  error
)

// badgeFace is the badge's font: Go Medium, scalable and drawn in Go, so the
// agent needs no font library or installed font at run time.
func badgeFace() (font.Face, error) {
	faceOnce.Do(func() {
		f, err := opentype.Parse(gomedium.TTF)
		if err != nil {
			faceErr = fmt.Errorf("indicator: font: %w", err)
			return
		}
		face, faceErr = opentype.NewFace(f, &opentype.FaceOptions{Size: fontSize, DPI: 72, Hinting: font.HintingFull})
	})
	return face, faceErr
}

// layout is a badge drawn: its picture and where its buttons start.
type layout struct {
	img   *image.RGBA
	hideX int // x of the "Hide a window" button's left edge (endX without one)
	endX  int // x of the End button's left edge, in the badge
}

// zone is the part of the badge at x (from its left edge).
func (l layout) zone(x int) Zone {
	switch {
	case x >= l.endX:
		return ZoneEnd
	case x >= l.hideX:
		return ZoneHide
	}
	return ZoneStop
}

// render draws badge b of state s, at most maxW pixels wide: the text on the
// state's colour, then the buttons ("Hide a window" if any, End), darker
// (End dark red while it asks for a second click), each after a thin line.
// A text too long is cut with "…".
func render(s State, b Badge, maxW int) (layout, error) {
	f, err := badgeFace()
	if err != nil {
		return layout{}, err
	}
	hideW, endW, err := ButtonWidths(b)
	if err != nil {
		return layout{}, err
	}
	text := b.Text
	room := maxW - endW - hideW - 2*padding
	if room < 0 {
		room = 0
	}
	if font.MeasureString(f, text).Ceil() > room {
		r := []rune(text)
		for len(r) > 0 && font.MeasureString(f, string(r)+"…").Ceil() > room {
			r = r[:len(r)-1]
		}
		text = string(r) + "…"
	}
	textW := font.MeasureString(f, text).Ceil()
	w := min(maxW, textW+2*padding+hideW+endW)
	img := image.NewRGBA(image.Rect(0, 0, w, BadgeHeight))
	bg := rgbOf(s)
	draw.Draw(img, img.Bounds(), image.NewUniform(rgba(bg)), image.Point{}, draw.Src)
	endX := w - endW
	hideX := endX - hideW
	darker := [3]uint8{bg[0] * 3 / 4, bg[1] * 3 / 4, bg[2] * 3 / 4}
	endBg := darker
	if b.Confirm {
		endBg = confirmRGB
	}
	line := image.NewUniform(color.RGBA{255, 255, 255, 160})
	if hideW > 0 {
		draw.Draw(img, image.Rect(hideX, 0, endX, BadgeHeight), image.NewUniform(rgba(darker)), image.Point{}, draw.Src)
		draw.Draw(img, image.Rect(hideX, 0, hideX+1, BadgeHeight), line, image.Point{}, draw.Over)
	}
	draw.Draw(img, image.Rect(endX, 0, w, BadgeHeight), image.NewUniform(rgba(endBg)), image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(endX, 0, endX+1, BadgeHeight), line, image.Point{}, draw.Over)
	m := f.Metrics()
	baseline := (BadgeHeight+m.Ascent.Ceil()-m.Descent.Ceil())/2 + 0
	d := font.Drawer{Dst: img, Src: image.White, Face: f}
	d.Dot = fixed.P(padding, baseline)
	d.DrawString(text)
	if hideW > 0 {
		d.Dot = fixed.P(hideX+padding, baseline)
		d.DrawString(b.Hide)
	}
	d.Dot = fixed.P(endX+padding, baseline)
	d.DrawString(b.End)
	return layout{img: img, hideX: hideX, endX: endX}, nil
}

// ButtonWidths are the widths of badge b's "Hide a window" and End buttons
// (0 for none), which end the badge on its right in that order: for tests
// that click them.
func ButtonWidths(b Badge) (hide, end int, err error) {
	f, err := badgeFace()
	if err != nil {
		return 0, 0, err
	}
	if b.Hide != "" {
		hide = font.MeasureString(f, b.Hide).Ceil() + 2*padding
	}
	return hide, font.MeasureString(f, b.End).Ceil() + 2*padding, nil
}

func rgba(c [3]uint8) color.RGBA { return color.RGBA{c[0], c[1], c[2], 255} }
