package privacy

import "errors"

var (
	// ErrUnknownWindow means the window named is not on the screen (any
	// more): the customer's list is older than the screen.
	ErrUnknownWindow = errors.New("privacy: no such window on the screen")
	// ErrNoDisplay means there is no desktop to read the windows of.
	ErrNoDisplay = errors.New("privacy: no display")
)
