package invite

import (
	"errors"
	"fmt"
	"time"
)

var (
	// ErrInvalid means the link token does not exist.
	ErrInvalid = errors.New("invitation not valid")
	// ErrExpired means the link was not used in time.
	ErrExpired = errors.New("invitation expired")
	// ErrUsed means the link was already used by an agent.
	ErrUsed = errors.New("invitation already used")
	// ErrInvalidPIN means a PIN is wrong, used or expired.
	ErrInvalidPIN = errors.New("that code is not valid")
	// ErrPINForCustomer means an external collaborator typed a customer's
	// PIN: it was not used up.
	ErrPINForCustomer = errors.New("this code is for a customer joining a session, on the join page")
	// ErrPINForExternal means a customer (or their program) was given an
	// external collaborator's PIN: it was not used up.
	ErrPINForExternal = errors.New("this code is for a guest technician joining a session, on the guest page")
	// ErrRateLimited means a client address made too many wrong attempts.
	ErrRateLimited = errors.New("too many wrong codes")
	// ErrBusy means the server checks codes slowly now (many wrong ones from
	// everywhere); the code was not checked and may be tried again shortly.
	ErrBusy = errors.New("the server is busy checking codes")
	// ErrNoPIN means no free PIN could be found.
	ErrNoPIN = errors.New("could not allocate a PIN")
)

// RateLimitError is ErrRateLimited (or ErrBusy) with the time to wait.
type RateLimitError struct {
	RetryAfter time.Duration
	// Reason is ErrRateLimited (when nil) or ErrBusy.
	Reason error
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("%v: retry in %s", e.Unwrap(), max(e.RetryAfter.Round(time.Second), time.Second))
}

// Unwrap makes errors.Is(err, ErrRateLimited) (or ErrBusy) true.
func (e *RateLimitError) Unwrap() error {
	if e.Reason == nil {
		return ErrRateLimited
	}
	return e.Reason
}
