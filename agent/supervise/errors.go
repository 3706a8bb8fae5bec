package supervise

import "errors"

var (
	// ErrNoExecutable means the agent could not find its own program file to
	// start its worker. Run the agent from its downloaded file, not through a
	// deleted or moved one.
	ErrNoExecutable = errors.New("supervise: cannot find the agent's own program to start its worker")

	// ErrBadJournal means the worker's journal variable names no usable pipe:
	// the process was started by hand with the supervisor's private variable set.
	ErrBadJournal = errors.New("supervise: the worker's journal pipe is unusable")

	// ErrNoDisplay means the supervisor could not reach the X display to release
	// what its worker held; the customer may need to press and release the keys.
	ErrNoDisplay = errors.New("supervise: no X display to release the worker's input on")
)
