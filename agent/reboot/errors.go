package reboot

import "errors"

// Errors of a restart and its entry.
var (
	// ErrUsed means the entry is gone: used already, or removed.
	ErrUsed = errors.New("this reconnection was used already")
	// ErrTooOld means the entry is older than MaxAge: the session ended.
	ErrTooOld = errors.New("the support session waited too long for this computer to restart")
	// ErrBadEntry means the entry's file cannot be read as one.
	ErrBadEntry = errors.New("the reconnection file is damaged")
	// ErrSafeModeUnavailable means a restart in safe mode with networking
	// is not possible here (see SafeModeAvailable).
	ErrSafeModeUnavailable = errors.New("safe mode with networking is not available: only on Windows, when Lifeline runs as a service")
)
