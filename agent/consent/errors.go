package consent

import "errors"

// Errors returned by UI methods.
var (
	// ErrClosed means the UI was closed; no request can be answered any more.
	ErrClosed = errors.New("consent: customer page closed")
	// ErrEnded means the session ended (by Ended or by the customer) before an answer.
	ErrEnded = errors.New("consent: session ended")
	// ErrWithdrawn means Withdraw took the request back before the customer answered.
	ErrWithdrawn = errors.New("consent: request withdrawn")
	// ErrUnknownPermission means Ask was given a permission the customer cannot be
	// shown a clear question for; it is never granted.
	ErrUnknownPermission = errors.New("consent: unknown permission")
	// ErrAlreadyRunning means Run was called twice.
	ErrAlreadyRunning = errors.New("consent: Run already called")
	// ErrPanelName means a panel name is empty, taken or not lower-case letters.
	ErrPanelName = errors.New("consent: bad panel name")
)
