package main

import (
	"fmt"
	"os"

	"github.com/lifeline-support/lifeline/agent/indicator"
	"github.com/lifeline-support/lifeline/agent/overlay"
	"github.com/lifeline-support/lifeline/agent/privacy"
	"github.com/lifeline-support/lifeline/shared/i18n"
)

// newOverlay opens the drawing overlay on $DISPLAY (X11 with SHAPE). The X
// server removes its windows when the process exits.
func newOverlay() (overlay.Backend, error) { return overlay.NewX11("") }

// newDesktop reads the windows of $DISPLAY's default screen, for private
// windows.
func newDesktop() (privacy.Desktop, error) { return privacy.NewX11("") }

// newIndicator opens the on-screen frame and badge on $DISPLAY.
func newIndicator(onClick func(indicator.Zone)) (indicator.Display, error) {
	return indicator.NewX11("", onClick)
}

// checkSystem says whether this system can run the agent: any Linux can
// start it (a missing display is found when the screen is opened).
func checkSystem() error { return nil }

// tell shows msg to the customer on the terminal.
func tell(_ i18n.Lang, msg string) { fmt.Fprintln(os.Stderr, msg) }
