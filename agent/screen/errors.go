package screen

import "errors"

// ErrNoDisplay means there is no screen to capture: on X11, DISPLAY is unset
// or the X server cannot be reached; on Windows, the process has no
// interactive desktop.
var ErrNoDisplay = errors.New("screen: no display (on X11, set DISPLAY)")

// ErrUnsupportedFormat means the screen's pixels are not 24-bit colour in
// 32-bit little-endian words, the only format Grab converts.
var ErrUnsupportedFormat = errors.New("screen: unsupported pixel format (want 24-bit colour, 32 bits per pixel)")

// ErrClosed is returned by Read after Close.
var ErrClosed = errors.New("screen: capture closed")

// ErrNoChanges means the system does not tell when the screen changes (X11
// without DAMAGE, or Windows, where Capture compares blocks of each capture
// with the last one instead).
var ErrNoChanges = errors.New("screen: the system does not report screen changes")

// Why a capture failed. Read's error wraps one of these when the screen is
// there but cannot be read (the video goes on with a still picture and the
// technician is told why: agent/peer).
var (
	// ErrLocked means the customer's workstation is locked.
	ErrLocked = errors.New("screen: the workstation is locked")
	// ErrSecureDesktop means a Windows security prompt (UAC, the
	// Ctrl+Alt+Del screen) holds the secure desktop, which the agent may not
	// read.
	ErrSecureDesktop = errors.New("screen: a security prompt holds the secure desktop")
	// ErrUnreadable means the screen cannot be read for another reason.
	ErrUnreadable = errors.New("screen: the screen cannot be read")
)
