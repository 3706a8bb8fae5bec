package screenshot

import (
	"image"

	"github.com/lifeline-support/lifeline/agent/screen"
)

// grabScreen reads the whole Windows virtual screen (every monitor) with GDI.
func grabScreen() (*image.RGBA, error) {
	mons, err := screen.Monitors()
	if err != nil {
		return nil, err
	}
	var g screen.Grabber
	defer g.Close()
	return g.Grab(mons[0], nil)
}
