package sysinfo

import "errors"

var (
	// ErrUnavailable means this system's information cannot be read yet.
	ErrUnavailable = errors.New("system information is not available on this computer yet")
	// ErrNoProcess means the process to end is not running (any more).
	ErrNoProcess = errors.New("that process is not running any more")
	// ErrNotPermitted means the agent's user may not end that process.
	ErrNotPermitted = errors.New("that process belongs to another user: the support program may not end it")
	// ErrOwnProcess means the process to end is the support program itself.
	ErrOwnProcess = errors.New("that process is the support program itself: end the session instead")
	// ErrNotGranted means the customer has not allowed system information.
	ErrNotGranted = errors.New("the customer has not allowed system information")
	// ErrBadProc means a /proc file could not be parsed.
	ErrBadProc = errors.New("unreadable /proc entry")
)
