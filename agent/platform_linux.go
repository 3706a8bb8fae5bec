package main

import (
	"github.com/lifeline-support/lifeline/agent/indicator"
	"github.com/lifeline-support/lifeline/agent/overlay"
)

// newOverlay opens the drawing overlay on $DISPLAY (X11 with SHAPE). The X
// server removes its windows when the process exits.
func newOverlay() (overlay.Backend, error) { return overlay.NewX11("") }

// newIndicator opens the on-screen frame and badge on $DISPLAY.
func newIndicator(onStop func(controlled bool)) (indicator.Display, error) {
	return indicator.NewX11("", onStop)
}
