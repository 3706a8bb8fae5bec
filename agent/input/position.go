package input

import (
	"image"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// At returns the pixel of the screen that a pointer event's X, Y name when
// positions are fractions of area (the monitor the technician sees, in its X
// screen's or the virtual screen's coordinates): the pixel the Robot moves
// the pointer to.
func At(ev protocol.InputEvent, area image.Rectangle) image.Point {
	return image.Pt(area.Min.X+pixel(ev.X, area.Dx()), area.Min.Y+pixel(ev.Y, area.Dy()))
}
