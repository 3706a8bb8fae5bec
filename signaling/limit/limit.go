// Package limit counts attempts at a secret (PINs, passwords, two-step
// codes) in the store's limits bucket, each with one compare-and-set before
// the attempt is checked, so that no more than a rule allows are ever
// checked however many arrive at once.
package limit

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/lifeline-support/lifeline/signaling/store"
)

// BusyRetry is what an attempt that lost a race on a counter is told to wait.
const BusyRetry = time.Second

// Rule says how many attempts a key allows. A zero Max allows any number.
type Rule struct {
	// Max attempts are allowed per Window, which starts at the first one.
	Max    int
	Window time.Duration
	// LockFor, when set, replaces the Window: attempts are counted in a row
	// (until the record expires or is reset) and the Max-th, still allowed,
	// locks the key for LockFor.
	LockFor time.Duration
	// Pace, when set, lets attempts past Max go ahead one per Window/Max
	// instead of refusing them, each waiting its turn; one that would wait
	// longer than Pace is refused with ErrBusy.
	Pace time.Duration
	// NeverRefuse, with Pace, lets an attempt whose turn is farther than
	// Pace wait Pace and go ahead instead of refusing it: for a secret whose
	// owner must not be kept out by a flood (a password), where other limits
	// bound how many attempts can be under way at once.
	NeverRefuse bool
}

// Counter applies one Rule to the keys it is given.
type Counter struct {
	rule Rule
	st   *store.Store
	now  func() time.Time
	log  *slog.Logger
	// locks keeps this node's updates of each key's counter in line, so
	// they do not lose compare-and-set races to each other (other nodes
	// still can: that answers ErrBusy). One lock per key, not one for the
	// Counter: a flood of attempts on other keys (guesses from many
	// addresses) never delays the count of this one (the owner's address).
	mu    sync.Mutex // locks
	locks map[string]*keyLock
}

// keyLock is the lock of one key (held while its one slot is full) and how
// many updates use or wait for it.
type keyLock struct {
	held  chan struct{}
	users int
}

// errLineTooLong means an update waited for its key's lock as long as it
// was allowed to (see Take).
var errLineTooLong = errors.New("limit: waited its longest for the key")

// lock takes this node's lock of key and returns its release. It gives up
// when ctx ends, or after within when within > 0 (errLineTooLong).
func (c *Counter) lock(ctx context.Context, key string, within time.Duration) (unlock func(), err error) {
	c.mu.Lock()
	l := c.locks[key]
	if l == nil {
		l = &keyLock{held: make(chan struct{}, 1)}
		c.locks[key] = l
	}
	l.users++
	c.mu.Unlock()
	leave := func() {
		c.mu.Lock()
		if l.users--; l.users == 0 {
			delete(c.locks, key)
		}
		c.mu.Unlock()
	}
	var timeout <-chan time.Time
	if within > 0 {
		t := time.NewTimer(within)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case l.held <- struct{}{}:
		return func() { <-l.held; leave() }, nil
	case <-ctx.Done():
		leave()
		return nil, ctx.Err()
	case <-timeout:
		leave()
		return nil, errLineTooLong
	}
}

// New returns a Counter of rule over st; now and log may be nil (time.Now,
// slog.Default()).
func New(st *store.Store, rule Rule, now func() time.Time, log *slog.Logger) *Counter {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Counter{rule: rule, st: st, now: now, log: log, locks: map[string]*keyLock{}}
}

// Attempt is what Take counted.
type Attempt struct {
	// Wait is how long the attempt must wait for its turn (Rule.Pace).
	Wait time.Duration
	// Locked is the end of the lock this attempt started as the last one
	// allowed (Rule.LockFor), or zero.
	Locked time.Time
}

// Take counts one attempt under key before it is checked. It returns an
// *Error wrapping ErrLimited when key has no attempt left, or ErrBusy when
// the attempt lost a race or has no turn soon: then nothing was counted.
//
// With NeverRefuse, an attempt never waits longer than Pace in all: one
// that waited Pace in line for this node's lock of key (a flood of attempts
// on the same key, each counted in turn) goes ahead uncounted, as one whose
// turn is too far does, so the owner of a secret is never kept out longer
// than Pace however many attempts arrive at once.
func (c *Counter) Take(ctx context.Context, key string) (Attempt, error) {
	r := c.rule
	if r.Max <= 0 {
		return Attempt{}, nil
	}
	var at Attempt
	now := c.now()
	within := time.Duration(0)
	if r.NeverRefuse && r.Pace > 0 {
		within = r.Pace
	}
	err := c.update(ctx, key, now, within, func(l *store.Limit) error {
		at = Attempt{}
		if r.LockFor > 0 {
			if l.Count >= r.Max {
				if now.Before(l.Until) {
					return refusal(l.Until, now, ErrLimited)
				}
				l.Count = 0
			}
			l.Count++
			if l.Count >= r.Max {
				l.Until = now.Add(r.LockFor)
				at.Locked = l.Until
			}
			return nil
		}
		if now.Sub(l.Since) >= r.Window {
			l.Count, l.Since = 0, now
		}
		if l.Count >= r.Max {
			if r.Pace <= 0 {
				return refusal(l.Since.Add(r.Window), now, ErrLimited)
			}
			turn := now
			if l.Next.After(now) {
				turn = l.Next
			}
			if turn.Sub(now) > r.Pace {
				if !r.NeverRefuse {
					return refusal(turn, now, ErrBusy)
				}
				at.Wait = r.Pace // waits its longest, takes no turn
				l.Count++
				return nil
			}
			l.Next = turn.Add(r.Window / time.Duration(r.Max))
			at.Wait = turn.Sub(now)
		}
		l.Count++
		return nil
	})
	if errors.Is(err, errLineTooLong) {
		return Attempt{}, nil // it waited its longest: it goes ahead
	}
	return at, err
}

// Give gives back an attempt taken under key that turned out not to be a
// wrong one (the right secret, or one never checked); it only logs a failure.
func (c *Counter) Give(ctx context.Context, key string) {
	if c.rule.Max <= 0 {
		return
	}
	err := c.update(context.WithoutCancel(ctx), key, c.now(), 0, func(l *store.Limit) error {
		if l.Count > 0 {
			l.Count--
		}
		return nil
	})
	if err != nil {
		c.log.Warn("limit: give an attempt back", "err", err)
	}
}

// Reset forgets every attempt counted under key, and its lock.
func (c *Counter) Reset(ctx context.Context, key string) error {
	unlock, err := c.lock(ctx, key, 0)
	if err != nil {
		return err
	}
	defer unlock()
	return c.st.DeleteLimit(ctx, key)
}

// update changes key's counter with fn in one compare-and-set; a lost race
// is ErrBusy. It waits at most within (when > 0) for this node's lock of
// key: longer is errLineTooLong, and nothing is changed.
func (c *Counter) update(ctx context.Context, key string, now time.Time, within time.Duration, fn func(*store.Limit) error) error {
	unlock, err := c.lock(ctx, key, within)
	if err != nil {
		return err
	}
	defer unlock()
	_, err = c.st.UpdateLimit(ctx, key, fn)
	if errors.Is(err, store.ErrConflict) {
		return refusal(now.Add(BusyRetry), now, ErrBusy)
	}
	return err
}

// Sleep waits d (an Attempt's Wait) or until ctx ends.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func refusal(until, now time.Time, reason error) *Error {
	return &Error{Until: until, RetryAfter: until.Sub(now), Reason: reason}
}
