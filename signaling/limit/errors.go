package limit

import (
	"errors"
	"fmt"
	"time"
)

var (
	// ErrLimited means the key has used up its attempts: the attempt was
	// neither counted nor checked.
	ErrLimited = errors.New("too many attempts")
	// ErrBusy means the attempt was neither counted nor checked because
	// attempts arrive too fast (a lost race on the counter, or no turn for it
	// soon enough); trying again shortly is the answer.
	ErrBusy = errors.New("too many attempts at once")
)

// Error is ErrLimited or ErrBusy with the time to wait.
type Error struct {
	// Until is when the key takes attempts again.
	Until time.Time
	// RetryAfter is how long from now that is.
	RetryAfter time.Duration
	// Reason is ErrLimited or ErrBusy.
	Reason error
}

func (e *Error) Error() string {
	return fmt.Sprintf("%v: retry in %s", e.Reason, max(e.RetryAfter.Round(time.Second), time.Second))
}

// Unwrap makes errors.Is(err, ErrLimited) (or ErrBusy) true.
func (e *Error) Unwrap() error { return e.Reason }
