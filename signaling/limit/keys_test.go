package limit

import (
	"fmt"
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
	unlock, err := c.lock(t.Context(), "login.flood", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
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

// TestNeverRefuseWaitsAtMostPaceInLine: attempts on one account from many
// addresses at once line up for this node's lock of the account's key, each
// a store round trip; with NeverRefuse (a password), an attempt that has
// waited Pace in that line goes ahead uncounted, as one whose turn is too
// far does, so the owner is never kept out longer than Pace by the line.
func TestNeverRefuseWaitsAtMostPaceInLine(t *testing.T) {
	st, _ := storetest.Open(t)
	const pace = 50 * time.Millisecond
	c := New(st, Rule{Max: 10, Window: time.Minute, Pace: pace, NeverRefuse: true}, nil, nil)
	// The flood's attempts on the account, in line for as long as it lasts.
	unlock, err := c.lock(t.Context(), "pace.account", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	done := make(chan error, 1)
	go func() {
		at, err := c.Take(t.Context(), "pace.account")
		if err == nil && at.Wait > pace {
			err = fmt.Errorf("then told to wait %v more", at.Wait)
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the owner's attempt waited in the account's line past Pace")
	}
}
