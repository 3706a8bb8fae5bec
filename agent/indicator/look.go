package indicator

// Frame is the width of the coloured frame around the screen, in pixels.
const Frame = 4

// Badge geometry: the badge is BadgeHeight high, at the top centre, with
// padding pixels on each side of its text.
const (
	BadgeHeight = 28
	padding     = 12
)

// Colours (RGB): the frame and badge while viewed, while controlled, and
// the badge alone while the technician's connection is lost.
var (
	viewedRGB     = [3]uint8{255, 140, 0}
	controlledRGB = [3]uint8{220, 0, 0}
	lostRGB       = [3]uint8{110, 110, 110}
)
