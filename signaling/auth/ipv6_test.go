package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/lifeline-support/lifeline/shared/clocktest"
	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/signaling/audit"
	"github.com/lifeline-support/lifeline/signaling/storetest"
)

// ownerKey marks the owner's request in the test's Sleep.
type ownerKey struct{}

// TestLoginPacingFromManyIPv6Networks: an attacker rotating addresses over
// many IPv6 /64s, and over many addresses inside each /64, all at once:
// every address of a /64 shares that /64's lock on the account (the 6th
// guess from a /64 is locked out whatever its address); the owner, from an
// address of their own, still logs in after at most MaxSlowDown; and the
// "slowed down" refusals cost one audit event per /64 and minute, not one
// per address.
func TestLoginPacingFromManyIPv6Networks(t *testing.T) {
	clk := clocktest.New(time.Now())
	const maxWait = 20 * time.Second
	var mu sync.Mutex
	var ownerWaits, floodWaits []time.Duration
	nc, err := nats.Connect(natstest.Server(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	ctx := context.Background()
	trail, err := audit.Open(ctx, nc, audit.Config{RefusalWindow: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	st, _ := storetest.Open(t)
	a := New(Config{MaxFailures: 5, SlowAfter: 10, SlowWindow: time.Minute, MaxSlowDown: maxWait, Now: clk.Now, Audit: trail,
		Sleep: func(ctx context.Context, d time.Duration) error {
			mu.Lock()
			defer mu.Unlock()
			if ctx.Value(ownerKey{}) != nil {
				ownerWaits = append(ownerWaits, d)
			} else {
				floodWaits = append(floodWaits, d)
			}
			return nil
		}}, st)
	const pw = "the right password"
	if err := a.CreateTechnician(ctx, "admin2", "Admin", pw, "", ""); err != nil {
		t.Fatal(err)
	}
	try := func(ctx context.Context, addr, password string) error {
		w := httptest.NewRecorder()
		r := httptest.NewRequestWithContext(ctx, http.MethodPost, "/login", nil)
		r.RemoteAddr = addr
		return a.Login(r.Context(), w, r, "admin2", password)
	}

	// 16 /64s, six guesses from each, every guess from another address of
	// its /64, all sent at once (the clock stands still).
	const networks, perNetwork = 16, 6
	errs := make([][]error, networks)
	var wg sync.WaitGroup
	for n := range networks {
		errs[n] = make([]error, perNetwork)
		wg.Go(func() {
			for g := range perNetwork {
				addr := fmt.Sprintf("[2001:db8:%x:%x::%x:%x]:1000", n/256, n%256, g+1, n*7+g)
				errs[n][g] = try(ctx, addr, fmt.Sprint("guess ", n, g))
			}
		})
	}
	wg.Wait()
	for n := range networks {
		for g, err := range errs[n] {
			var locked *LockedError
			switch {
			case g < 4 && !errors.Is(err, ErrBadLogin):
				t.Errorf("/64 #%d, guess %d: %v, want ErrBadLogin (slowed, never refused)", n, g+1, err)
			case g >= 4 && !errors.As(err, &locked):
				t.Errorf("/64 #%d, guess %d from yet another address of the /64: %v, want *LockedError (one lock per /64)", n, g+1, err)
			}
		}
	}

	owner := context.WithValue(ctx, ownerKey{}, true)
	if err := try(owner, "[2001:db8:ffff:1::1]:2000", pw); err != nil {
		t.Fatalf("the owner during the flood: %v, want logged in", err)
	}
	mu.Lock()
	if len(ownerWaits) != 1 || ownerWaits[0] <= 0 || ownerWaits[0] > maxWait {
		t.Errorf("the owner waited %v, want one wait, 0 < wait <= %v", ownerWaits, maxWait)
	}
	for _, w := range floodWaits {
		if w > maxWait {
			t.Errorf("a guess waited %v, past MaxSlowDown %v", w, maxWait)
		}
	}
	mu.Unlock()

	trail.Close() // writes the counts still pending
	evs, err := trail.Query(ctx, audit.Filter{Type: string(audit.LoginFailed), Limit: 10_000})
	if err != nil {
		t.Fatal(err)
	}
	slowed := 0
	for _, e := range evs {
		if e.Detail == "slowed down" {
			slowed++
		}
	}
	// Each /64 (the owner's too) is slowed at most twice: a first event,
	// and one with the count of its repeats; one per address would be up
	// to 4 a /64.
	if slowed > 2*(networks+1) {
		t.Errorf("%d \"slowed down\" events for %d /64s: refusals are coalesced per address, not per /64", slowed, networks)
	}
}
