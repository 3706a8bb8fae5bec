package input

import "errors"

var (
	// ErrNoDisplay means no X display could be reached: DISPLAY is unset or the
	// X server does not accept the connection. Start the agent inside the
	// customer's X11 session (or set DISPLAY, e.g. ":0") and try again.
	ErrNoDisplay = errors.New("no X display: set DISPLAY to the customer's X11 session")

	// ErrNoXTest means the X server lacks the XTEST extension, which input
	// injection needs. Enable XTEST in the X server's configuration.
	ErrNoXTest = errors.New("the X server has no XTEST extension; input cannot be injected")

	// ErrInUse means another Robot is still open in this process. robotgo keeps
	// one global X connection, so only one Robot may own it: close the other first.
	ErrInUse = errors.New("another input Robot is open in this process; close it first")

	// ErrClosed means the Robot was closed; create a new one to inject again.
	ErrClosed = errors.New("input robot is closed")

	// ErrUnknownKey means the key event's code is not a DOM KeyboardEvent.code
	// this package can inject. Nothing was sent; send the key as a text event
	// instead if it types a character.
	ErrUnknownKey = errors.New("unknown key code")

	// ErrKeyUnavailable means the key is known but the customer's keyboard
	// layout has no key for it (for example F24 on a small keymap). Nothing was sent.
	ErrKeyUnavailable = errors.New("key not present in the X keyboard mapping")

	// ErrBadEvent means the event is malformed: an unknown kind or button, a
	// position outside 0..1, or empty or invalid UTF-8 text. Nothing was sent.
	ErrBadEvent = errors.New("malformed input event")

	// ErrQueueFull means the injection queue is full of events that may not be
	// dropped (keys, buttons, text): the desktop is not keeping up. The event
	// was discarded; pointer moves are dropped silently before this happens.
	ErrQueueFull = errors.New("input queue full")
)
