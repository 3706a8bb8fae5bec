package terminal

import "errors"

var (
	// ErrUnavailable means this system cannot open terminals yet.
	ErrUnavailable = errors.New("terminals are not available on this computer yet")
	// ErrNotGranted means the customer has not allowed terminals.
	ErrNotGranted = errors.New("the customer has not allowed terminals")
	// ErrTooMany means MaxTerminals terminals are open already.
	ErrTooMany = errors.New("too many terminals open: close one first")
	// ErrTranscriptFull means the session's terminal transcript reached its
	// bound: terminals are closed rather than run unrecorded.
	ErrTranscriptFull = errors.New("the session's terminal transcript is full: terminals are closed for the rest of this session")
	// ErrTooLarge means a message of keys is over protocol.MaxTerminalInput.
	ErrTooLarge = errors.New("terminal input too large")
)
