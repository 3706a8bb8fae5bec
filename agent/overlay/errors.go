package overlay

import "errors"

// Errors of Overlay.Add and the other methods.
var (
	// ErrFull means the drawing holds MaxStrokes strokes or MaxPoints points:
	// erase it to draw more.
	ErrFull = errors.New("overlay: the drawing is full; erase it to draw more")
	// ErrCovered means the stroke would take the drawing over MaxCoverage of
	// the screen: erase it to draw more.
	ErrCovered = errors.New("overlay: the drawing covers too much of the screen; erase it to draw more")
	// ErrClosed means the Overlay was closed.
	ErrClosed = errors.New("overlay: closed")
)
