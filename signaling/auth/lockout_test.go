package auth

import (
	"context"
	"errors"
	"fmt"
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

// TestFailuresFromManyAddressesSlowTheAccountDown: wrong passwords spread
// over many addresses (twice the lockout limit) slow the account down (a doubling wait between
// attempts) instead of locking it, and the owner gets in once the wait is
// over.
func TestFailuresFromManyAddressesSlowTheAccountDown(t *testing.T) {
	clk := clocktest.New(time.Now())
	a, _ := newAuth(t, Config{MaxFailures: 5, SlowAfter: 10, Now: clk.Now})
	ctx := context.Background()
	const pw = "the right password"
	if err := a.CreateTechnician(ctx, "carol", "Carol", pw, "", ""); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 10; i++ {
		if err, _ := login(a, fmt.Sprintf("203.0.113.%d:1000", i), "carol", "guess"); !errors.Is(err, ErrBadLogin) {
			t.Fatalf("wrong password %d from its own address: %v, want ErrBadLogin", i, err)
		}
	}
	var slow *SlowDownError
	err, _ := login(a, "198.51.100.7:2000", "carol", pw)
	if !errors.As(err, &slow) {
		t.Fatalf("right after 10 failures: %v, want *SlowDownError", err)
	}
	if wait := slow.Until.Sub(clk.Now()); wait <= 0 || wait > 2*time.Second {
		t.Fatalf("first wait %v, want about a second", wait)
	}
	clk.Add(time.Second)
	if err, _ := login(a, "203.0.113.11:1000", "carol", "guess"); !errors.Is(err, ErrBadLogin) {
		t.Fatalf("11th wrong password after the wait: %v, want ErrBadLogin", err)
	}
	if err, _ := login(a, "198.51.100.7:2000", "carol", pw); !errors.As(err, &slow) || slow.Until.Sub(clk.Now()) < 2*time.Second {
		t.Fatalf("after an 11th failure: %v, want a wait of 2 s", err)
	}
	clk.Add(2 * time.Second)
	if err, c := login(a, "198.51.100.7:2000", "carol", pw); err != nil || c == nil {
		t.Fatalf("the owner after the wait: %v, want logged in", err)
	}
	if err, _ := login(a, "203.0.113.7:1000", "carol", "guess"); !errors.Is(err, ErrBadLogin) {
		t.Fatalf("a login resets the count: %v, want ErrBadLogin", err)
	}
	if err, c := login(a, "198.51.100.7:2000", "carol", pw); err != nil || c == nil {
		t.Fatalf("one failure after a login slows nothing: %v", err)
	}
}
