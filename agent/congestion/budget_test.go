package congestion

import (
	"testing"
	"time"
)

// A transfer paced by a Budget of 1 Mbit/s takes, on the Budget's clock,
// the time its bytes take at that rate (less the first burst); with no
// limit it never waits. The clock is the test's: no sleeping, no timing.
func TestBudgetPacesBulkToItsRate(t *testing.T) {
	rate := 1_000_000
	b := NewBudget(func() int { return rate })
	clock := time.Unix(0, 0)
	b.now = func() time.Time { return clock }
	const chunk = 64 << 10
	sent := 0
	for sent < 20*chunk {
		if d := b.Take(chunk); d > 0 {
			clock = clock.Add(d)
			continue
		}
		sent += chunk
	}
	elapsed := clock.Sub(time.Unix(0, 0))
	want := time.Duration(float64(sent-2*chunk) * 8 / float64(rate) * float64(time.Second))
	if elapsed < want || elapsed > want+2*time.Second {
		t.Errorf("%d bytes at 1 Mbit/s went in %v of the budget's time; want about %v", sent, elapsed, want)
	}
	if w := b.Window(1 << 20); w != minBulkWindow {
		t.Errorf("window at 1 Mbit/s %d bytes; want %d", w, minBulkWindow)
	}

	rate = 0
	for range 100 {
		if d := b.Take(chunk); d != 0 {
			t.Fatalf("with no limit a chunk waited %v", d)
		}
	}
	if w := b.Window(1 << 20); w != 1<<20 {
		t.Errorf("window with no limit %d bytes; want %d", w, 1<<20)
	}
}

// The files' share follows the estimate below BulkFreeAbove, and is not
// limited above it.
func TestBulkRateFollowsTheEstimate(t *testing.T) {
	for _, tc := range []struct {
		estimate, want int
	}{
		{1_000_000, 500_000},
		{MinBitRate, MinBitRate / 2},
		{BulkFreeAbove - 2, BulkFreeAbove/2 - 1},
		{BulkFreeAbove, 0},
		{MaxBitRate, 0},
	} {
		c := &Controller{estimate: tc.estimate}
		if got := c.BulkRate(); got != tc.want {
			t.Errorf("estimate %d: bulk rate %d, want %d", tc.estimate, got, tc.want)
		}
	}
}
