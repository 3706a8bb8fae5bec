package congestion

import "testing"

// As the estimate falls, the frame rate is cut first, then the resolution
// too (issue 17: frame rate, then resolution, before queues build).
func TestLimitsCutTheFrameRateBeforeTheResolution(t *testing.T) {
	for _, tc := range []struct {
		estimate int
		fps      float64
		lowRes   bool
	}{
		{2_500_000, 0, false},
		{1_500_000, 0, false},
		{1_499_999, 15, false},
		{1_000_000, 15, false},
		{799_999, 10, false},
		{599_999, 10, true},
		{399_999, 5, true},
		{MinBitRate, 5, true},
	} {
		l := LimitsFor(tc.estimate)
		if l.BitRate != tc.estimate || l.FPS != tc.fps || l.LowRes != tc.lowRes {
			t.Errorf("estimate %d: %+v, want %v fps, half size %v", tc.estimate, l, tc.fps, tc.lowRes)
		}
	}
}
