package limit

import (
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/signaling/storetest"
)

// TestAttemptOnOneKeyDoesNotWaitForAnother: a flood of attempts on other
// keys (guesses from many IPv6 /64s, each its own key) keeps this node's
// lock of those keys busy; an attempt on a key of its own (the owner's
// address) is counted at once, not after the whole line: otherwise the
// owner's wait grows with the flood, past the documented bound.
func TestAttemptOnOneKeyDoesNotWaitForAnother(t *testing.T) {
	st, _ := storetest.Open(t)
	c := New(st, Rule{Max: 5, Window: time.Minute}, nil, nil)
	// The flood's line: its key's lock held as long as the line lasts.
	defer c.lock("login.flood")()
	done := make(chan error, 1)
	go func() {
		_, err := c.Take(t.Context(), "login.owner")
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("an attempt on the owner's key waited for the lock of the flood's keys")
	}
}
