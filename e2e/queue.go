package e2e

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// WaitFramesAfter waits until the workspace decodes more than n frames.
func (tc *Technician) WaitFramesAfter(t testing.TB, n int) int {
	t.Helper()
	var got int
	waitFor(t, "new video frames", func() bool {
		got = tc.Frames(t)
		return got > n
	})
	return got
}

// State is the session state the workspace knows (session.State values).
func (tc *Technician) State(t testing.TB) string {
	t.Helper()
	return get(t, tc.ctx, "read the state", chromedp.Evaluate[string](`window.lifeline?.state ?? ""`))
}

// WaitState waits until the workspace shows the session in state.
func (tc *Technician) WaitState(t testing.TB, state string) {
	t.Helper()
	waitFor(t, "session state "+state, func() bool { return tc.State(t) == state })
}

// waitForLong is waitFor with a longer hang guard, for waits that include a
// deliberate outage (a cut link) on top of the usual time.
func waitForLong(t testing.TB, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (tc *Technician) agentConnected(t testing.TB) bool {
	return get(t, tc.ctx, "agent connected", chromedp.Evaluate[bool](`!!window.lifeline?.agentConnected`))
}

func (tc *Technician) iceRestarts(t testing.TB) int {
	return int(get(t, tc.ctx, "ICE restarts", chromedp.Evaluate[float64](`window.lifeline?.iceRestarts ?? 0`)))
}
