package e2e

import (
	"fmt"
	"os"
	"slices"
	"testing"
	"time"
)

// BenchmarkConnect measures, over whole sessions with the real stack, the time
// from the agent's start to the first frame decoded in the console, and from the
// customer's Allow click to that frame. Each iteration is a new session: create,
// download, run, allow, first frame, end.
func BenchmarkConnect(b *testing.B) {
	stack := Start(b)
	tech := stack.Technician(b)
	var fromStart, fromAllow []float64
	for i := 0; b.Loop(); i++ {
		inv := tech.NewSession(b, fmt.Sprintf("Customer %d", i))
		customer := stack.Customer(b, inv)
		customer.OpenPage(b)
		customer.WaitAsked(b)
		allowedAt := time.Now()
		customer.Allow(b)
		tech.WaitVideo(b)
		first := tech.FirstFrameAt(b)
		fromStart = append(fromStart, float64(first-customer.Started.UnixMilli()))
		fromAllow = append(fromAllow, float64(first-allowedAt.UnixMilli()))
		tech.End(b)
		customer.WaitExit(b)
	}
	b.ReportMetric(percentile(fromStart, 50), "connect_ms_p50")
	b.ReportMetric(percentile(fromStart, 95), "connect_ms_p95")
	b.ReportMetric(percentile(fromAllow, 50), "allow_to_frame_ms_p50")
	b.ReportMetric(percentile(fromAllow, 95), "allow_to_frame_ms_p95")
	b.ReportMetric(0, "ns/op")
	if fi, err := os.Stat(stack.bin + "/agents/lifeline-agent-linux-amd64"); err == nil {
		b.ReportMetric(float64(fi.Size())/(1<<20), "agent_MiB")
	}
}

// percentile returns the p-th percentile (nearest rank) of xs.
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(p/100*float64(len(s))+0.5) - 1
	return s[max(0, min(i, len(s)-1))]
}
