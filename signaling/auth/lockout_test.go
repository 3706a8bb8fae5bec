package auth

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/shared/clocktest"
)

// TestLockoutIsPerAccountAndAddress: five wrong passwords from one address
// lock that address out of that account, not the account: its owner logs in
// from elsewhere, and the address still reaches other accounts.
func TestLockoutIsPerAccountAndAddress(t *testing.T) {
	clk := clocktest.New(time.Now())
	a, _ := newAuth(t, Config{MaxFailures: 5, LockFor: 5 * time.Minute, Now: clk.Now})
	ctx := context.Background()
	const pw = "the right password"
	for _, id := range []string{"admin2", "bob"} {
		if err := a.CreateTechnician(ctx, id, id, pw, "", ""); err != nil {
			t.Fatal(err)
		}
	}
	const mallory, mallorySamePrefix, owner = "203.0.113.66:1000", "203.0.113.66:4000", "198.51.100.7:2000"
	for i := 1; i <= 5; i++ {
		err, _ := login(a, mallory, "admin2", fmt.Sprint("guess ", i))
		var locked *LockedError
		switch {
		case i < 5 && !errors.Is(err, ErrBadLogin):
			t.Fatalf("wrong password %d: %v, want ErrBadLogin", i, err)
		case i == 5 && !errors.As(err, &locked):
			t.Fatalf("wrong password %d: %v, want *LockedError", i, err)
		}
	}
	var locked *LockedError
	if err, _ := login(a, mallorySamePrefix, "admin2", pw); !errors.As(err, &locked) {
		t.Errorf("the locked address (another port) with the right password: %v, want *LockedError", err)
	}
	if err, c := login(a, owner, "admin2", pw); err != nil || c == nil {
		t.Errorf("the owner from another address: %v, want logged in", err)
	}
	if err, c := login(a, mallory, "bob", pw); err != nil || c == nil {
		t.Errorf("the locked address on another account: %v, want logged in", err)
	}
	clk.Add(5*time.Minute + time.Second)
	if err, c := login(a, mallory, "admin2", pw); err != nil || c == nil {
		t.Errorf("the address after the lock: %v, want logged in", err)
	}
}

// TestWrongPasswordsFromManyAddressesDoNotKeepTheOwnerOut: a flood of wrong
// passwords for an account from many addresses slows every attempt on it
// (past the first SlowAfter in a window, each waits its turn, one every
// SlowWindow/SlowAfter, and at most MaxSlowDown) but refuses
// none: the owner, from an address of their own, gets in after at most
// MaxSlowDown, and guesses stay slowed after that login.
func TestWrongPasswordsFromManyAddressesDoNotKeepTheOwnerOut(t *testing.T) {
	clk := clocktest.New(time.Now())
	var mu sync.Mutex
	var waits []time.Duration
	waited := func() time.Duration { // the wait of the last attempt, 0 if none
		mu.Lock()
		defer mu.Unlock()
		if len(waits) == 0 {
			return 0
		}
		w := waits[len(waits)-1]
		waits = waits[:0]
		return w
	}
	const maxWait = 20 * time.Second
	a, _ := newAuth(t, Config{MaxFailures: 5, SlowAfter: 10, SlowWindow: time.Minute, MaxSlowDown: maxWait, Now: clk.Now,
		Sleep: func(_ context.Context, d time.Duration) error {
			mu.Lock()
			defer mu.Unlock()
			waits = append(waits, d)
			return nil
		}})
	ctx := context.Background()
	const pw = "the right password"
	if err := a.CreateTechnician(ctx, "admin2", "Admin", pw, "", ""); err != nil {
		t.Fatal(err)
	}
	// The whole flood arrives at one instant (the clock stands still).
	for i := 1; i <= 60; i++ {
		err, _ := login(a, fmt.Sprintf("203.0.113.%d:1000", i), "admin2", fmt.Sprint("guess ", i))
		if !errors.Is(err, ErrBadLogin) {
			t.Fatalf("wrong password %d from its own address: %v, want ErrBadLogin (slowed, never refused)", i, err)
		}
		w := waited()
		switch {
		case i <= 11 && w != 0:
			t.Fatalf("wrong password %d waited %v, want none (the first 10 of a minute, then the first turn)", i, w)
		case i > 11 && (w < 5*time.Second || w > maxWait):
			t.Fatalf("wrong password %d waited %v, want between its turn and %v", i, w, maxWait)
		}
	}
	err, c := login(a, "198.51.100.7:2000", "admin2", pw)
	if err != nil || c == nil {
		t.Fatalf("the owner from a new address during the flood: %v, want logged in after a wait", err)
	}
	if w := waited(); w <= 0 || w > maxWait {
		t.Errorf("the owner waited %v, want a bounded wait (0 < wait <= %v)", w, maxWait)
	}
	if err, _ := login(a, "203.0.113.200:1000", "admin2", "guess"); !errors.Is(err, ErrBadLogin) {
		t.Fatalf("a guess after the owner's login: %v, want ErrBadLogin", err)
	}
	if w := waited(); w < 5*time.Second {
		t.Errorf("a guess after the owner's login waited %v: the owner's login must not lift the slow-down", w)
	}
	if err := a.Unlock(ctx, "admin2"); err != nil {
		t.Fatal(err)
	}
	if err, c := login(a, "198.51.100.7:2000", "admin2", pw); err != nil || c == nil {
		t.Fatalf("after Unlock: %v", err)
	}
	if w := waited(); w != 0 {
		t.Errorf("after Unlock the owner waited %v, want none", w)
	}
}
