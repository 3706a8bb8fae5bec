package main

import (
	"github.com/lifeline-support/lifeline/agent/indicator"
	"github.com/lifeline-support/lifeline/agent/overlay"
)

// newOverlay would open the drawing overlay as a topmost, click-through
// layered window; it is not written yet for Windows.
func newOverlay() (overlay.Backend, error) { return nil, errNotOnWindows }

// newIndicator would show the frame and badge as topmost layered windows;
// it is not written yet for Windows (the customer's page and terminal show
// that the session is on).
func newIndicator(func(controlled bool)) (indicator.Display, error) {
	return nil, errNotOnWindows
}
