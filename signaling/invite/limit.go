package invite

import (
	"errors"

	"github.com/lifeline-support/lifeline/signaling/limit"
)

// globalKey is the limits-bucket key of the server-wide PIN counter.
const globalKey = "pin-global"

// rateLimited turns a refusal of a limit.Counter into a *RateLimitError
// (ErrRateLimited, or ErrBusy); other errors pass unchanged.
func rateLimited(err error) error {
	var le *limit.Error
	if !errors.As(err, &le) {
		return err
	}
	var reason error
	if errors.Is(err, limit.ErrBusy) {
		reason = ErrBusy
	}
	return &RateLimitError{RetryAfter: le.RetryAfter, Reason: reason}
}

// RateLimited is rateLimited for other services that limit customers as
// PINs are limited (the channels' requests).
func RateLimited(err error) error { return rateLimited(err) }
