package congestion

import (
	"log/slog"
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
	if c := b.Chunk(chunk); c != minBulkChunk {
		t.Errorf("chunk at 1 Mbit/s %d bytes; want %d", c, minBulkChunk)
	}
	rate = 8_000_000
	if c := b.Chunk(chunk); c != 20_000 {
		t.Errorf("chunk at 8 Mbit/s %d bytes; want 20 ms of it, 20000", c)
	}

	rate = 0
	for range 100 {
		if d := b.Take(chunk); d != 0 {
			t.Fatalf("with no limit a chunk waited %v", d)
		}
	}
	if c := b.Chunk(chunk); c != chunk {
		t.Errorf("chunk with no limit %d bytes; want %d", c, chunk)
	}
	if w := b.Window(1 << 20); w != 1<<20 {
		t.Errorf("window with no limit %d bytes; want %d", w, 1<<20)
	}
}

// The files take what the video leaves of the estimate, and at least
// BulkShare of it, while the estimate is below BulkFreeAbove and fell within
// BulkHold; otherwise they are not limited. (The video's rate is set as the
// pacer would have counted it over the last second.)
func TestBulkRateTakesWhatTheVideoLeaves(t *testing.T) {
	for _, tc := range []struct {
		name            string
		estimate, video int
		cut             time.Duration // how long ago the estimate fell; 0: never
		want            int
	}{
		{"still screen", 1_000_000, 0, time.Second, 1_000_000},
		{"light video", 1_000_000, 200_000, time.Second, 800_000},
		{"video takes it all", 1_000_000, 1_000_000, time.Second, 500_000},
		{"video beyond the estimate", 1_000_000, 1_500_000, time.Second, 500_000},
		{"just under free", BulkFreeAbove - 2, BulkFreeAbove - 2, time.Second, BulkFreeAbove/2 - 1},
		{"fast link", BulkFreeAbove, BulkFreeAbove, time.Second, 0},
		{"fastest link", MaxBitRate, 0, time.Second, 0},
		{"never fell: nothing known", 1_000_000, 1_000_000, 0, 0},
		{"fell long ago", 1_000_000, 1_000_000, BulkHold + time.Second, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := New(slog.New(slog.DiscardHandler), tc.estimate, nil)
			defer c.Close()
			c.estimate = tc.estimate
			if tc.cut > 0 {
				c.cut, c.lastDown = true, time.Now().Add(-tc.cut)
			}
			c.pacer.mu.Lock()
			c.pacer.sent = int64(tc.video / 8)
			c.pacer.mu.Unlock()
			c.videoAt = time.Now().Add(-time.Second)
			got := c.BulkRate()
			// The second is a little longer by the time BulkRate reads it.
			if d := got - tc.want; d < 0 || d > tc.video/100+1 || tc.want == 0 && got != 0 {
				t.Errorf("estimate %d, video %d: bulk rate %d, want %d", tc.estimate, tc.video, got, tc.want)
			}
		})
	}
}
