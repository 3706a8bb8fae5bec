package terminal

import "errors"

var (
	// ErrUnavailable means this system cannot open terminals yet.
	ErrUnavailable = errors.New("terminals are not available on this computer yet")
	// ErrNotGranted means the customer has not allowed terminals.
	ErrNotGranted = errors.New("the customer has not allowed terminals")
	// ErrTooMany means MaxTerminals terminals are open already.
	ErrTooMany = errors.New("too many terminals open: close one first")
	// ErrTooLarge means a message of keys is over protocol.MaxTerminalInput.
	ErrTooLarge = errors.New("terminal input too large")
)
