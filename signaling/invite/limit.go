package invite

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/lifeline-support/lifeline/signaling/store"
)

// globalKey is the limits-bucket key of the server-wide PIN counter.
const globalKey = "pin-global"

// busyRetry is what a try that lost a race on a counter is told to wait.
const busyRetry = time.Second

// takeAttempt counts one PIN attempt from the client with limit key before the
// PIN is looked at, in one compare-and-set: no more than MaxFailures attempts
// per Window ever reach the check, however many arrive at once.
func (s *Service) takeAttempt(ctx context.Context, key string) error {
	s.addrMu.Lock()
	defer s.addrMu.Unlock()
	_, err := s.store.UpdateLimit(ctx, key, func(l *store.Limit) error {
		now := s.cfg.Now()
		if now.Sub(l.Since) >= s.cfg.Window {
			l.Count, l.Since = 0, now
		}
		if l.Count >= s.cfg.MaxFailures {
			return &RateLimitError{RetryAfter: l.Since.Add(s.cfg.Window).Sub(now)}
		}
		l.Count++
		return nil
	})
	return busyOnConflict(err)
}

// takeSlot counts one attempt against the server-wide limit and returns how
// long the attempt must wait first. Under GlobalMaxFailures attempts in the
// Window it need not wait; past it, attempts go ahead one per
// Window/GlobalMaxFailures, and one that would wait more than MaxWait is
// refused with ErrBusy (nothing counted).
func (s *Service) takeSlot(ctx context.Context) (time.Duration, error) {
	if s.cfg.GlobalMaxFailures <= 0 {
		return 0, nil
	}
	s.globalMu.Lock()
	defer s.globalMu.Unlock()
	var wait time.Duration
	_, err := s.store.UpdateLimit(ctx, globalKey, func(l *store.Limit) error {
		now := s.cfg.Now()
		wait = 0
		if now.Sub(l.Since) >= s.cfg.Window {
			l.Count, l.Since = 0, now
		}
		if l.Count >= s.cfg.GlobalMaxFailures {
			at := now
			if l.Next.After(now) {
				at = l.Next
			}
			if at.Sub(now) > s.cfg.MaxWait {
				return &RateLimitError{RetryAfter: at.Sub(now), Reason: ErrBusy}
			}
			l.Next = at.Add(s.cfg.Window / time.Duration(s.cfg.GlobalMaxFailures))
			wait = at.Sub(now)
		}
		l.Count++
		return nil
	})
	return wait, busyOnConflict(err)
}

// refund gives back an attempt counted under key that turned out not to be a
// wrong PIN (the right one, or one never checked).
func (s *Service) refund(ctx context.Context, key string, mu *sync.Mutex) {
	mu.Lock()
	defer mu.Unlock()
	_, err := s.store.UpdateLimit(ctx, key, func(l *store.Limit) error {
		if l.Count > 0 {
			l.Count--
		}
		return nil
	})
	if err != nil {
		s.log.Warn("pin limit: refund", "err", err)
	}
}

// busyOnConflict turns a lost compare-and-set race into ErrBusy: the attempt
// was neither counted nor checked, and trying again soon is the answer.
func busyOnConflict(err error) error {
	if errors.Is(err, store.ErrConflict) {
		return &RateLimitError{RetryAfter: busyRetry, Reason: ErrBusy}
	}
	return err
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
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
