package congestion

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/pion/rtcp"
)

// The CI flake of TestTargetBitRateClimbsBackAfterADeepFall (agent/peer):
// behind a modem's 1.3 s queue, more packets were on the way than pion's
// GCC remembers (250), every report was about packets it forgot, and its
// estimate stayed at 2.8 Mbit/s a minute after a 300 kbit/s limit. Now,
// while more than BlindAfter packets wait for a report, the rate is capped,
// halving every recoverEvery; once reports cover packets GCC knows, the cap
// grows and goes when GCC's estimate (hearing the queue) is under it. The
// clock is the test's.
func TestRateCappedWhileGCCHearsNoFeedbackItCanRead(t *testing.T) {
	c := New(slog.New(slog.NewTextHandler(io.Discard, nil)), 2_500_000, nil)
	defer c.Close()
	report := func(from, n uint16) {
		c.flight.onFeedback(&rtcp.TransportLayerCC{BaseSequenceNumber: from, PacketStatusCount: n})
	}
	for seq := range uint16(100) {
		c.flight.onSent(seq)
	}
	report(0, 100)
	now := time.Now()
	if got := c.capLocked(now, 2_500_000, 2_800_000); got != 2_500_000 {
		t.Fatalf("with every packet reported the rate is %d; want 2500000", got)
	}

	// 400 packets sent since the last report: GCC is blind.
	for seq := uint16(100); seq < 500; seq++ {
		c.flight.onSent(seq)
	}
	report(90, 10) // late reports about what it forgot change nothing
	rate := 2_500_000
	for i := range 6 {
		now = now.Add(recoverEvery)
		got := c.capLocked(now, 2_500_000, 2_800_000)
		if got >= rate && got > MinBitRate {
			t.Fatalf("step %d, blind: the rate is %d, was %d; want it halving", i, got, rate)
		}
		rate = got
	}
	if rate > 300_000 {
		t.Fatalf("blind for %v the rate is still %d", 6*recoverEvery, rate)
	}

	// Reports come about packets GCC knows; it still says 2.8 Mbit/s: the
	// cap grows, it does not go at once.
	report(100, 395)
	now = now.Add(recoverEvery)
	if got := c.capLocked(now, 2_500_000, 2_800_000); got <= rate || got >= 2_500_000 {
		t.Fatalf("seeing again: the rate is %d (was %d); want it growing under 2500000", got, rate)
	}
	// GCC, hearing the queue, fell to 300 kbit/s: the cap grows up to it
	// and goes.
	for i := 0; c.cap != 0; i++ {
		if i == 20 {
			t.Fatalf("%v after GCC fell to 300 kbit/s the cap is still %d", 20*recoverEvery, c.cap)
		}
		now = now.Add(recoverEvery)
		if got := c.capLocked(now, 300_000, 300_000); got > 300_000 {
			t.Fatalf("the rate is %d; want at most GCC's 300000", got)
		}
	}
	if got := c.capLocked(now.Add(recoverEvery), 300_000, 300_000); got != 300_000 {
		t.Fatalf("the cap gone, the rate is %d; want GCC's 300000", got)
	}
}
