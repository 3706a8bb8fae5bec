package bench

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/lifeline-support/lifeline/e2e"
)

// BenchmarkSignalingNodes plays whole sessions (see Load.Session) against one
// signaling node, then against two, both on the same three-server NATS
// cluster with JetStream replicated three times: how sessions per second
// scale with nodes. Every process shares this machine's CPUs, so the figure
// says whether a second node adds capacity, not what two machines would do.
func BenchmarkSignalingNodes(b *testing.B) {
	for b.Loop() {
		servers := e2e.NATSCluster(b, 3)
		var urls []string
		for _, s := range servers {
			urls = append(urls, s.URL)
		}
		args := []string{"--nats-url", strings.Join(urls, ","), "--replicas", "3"}
		ctx := context.Background()
		node1, _ := startSignaling(b, append(args, "--node", "node-1")...)
		node2, _ := startSignaling(b, append(args, "--node", "node-2")...)
		// Warm up both (buckets, logins).
		for _, u := range []string{node1, node2} {
			l, err := NewLoad(ctx, u, e2e.AdminPassword)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := l.Sessions(ctx, 2, loadTime/5); err != nil {
				b.Fatal(err)
			}
		}
		one := rate(b, []string{node1}, loadWorkers)
		two := rate(b, []string{node1, node2}, loadWorkers)
		b.ReportMetric(0, "ns/op")
		b.ReportMetric(one, "sessions_per_s_1_node")
		b.ReportMetric(two, "sessions_per_s_2_nodes")
		results.Set("signaling_sessions_per_s_1_node_cluster", one)
		results.Set("signaling_sessions_per_s_2_nodes_cluster", two)
		results.Note("Signaling on a 3-server NATS cluster (R3): %.0f sessions/s with one node, %.0f with two (%d consoles in all, %s, everything on this machine's CPUs).",
			one, two, loadWorkers, loadTime)
	}
}

// rate runs workers consoles split evenly over the nodes at urls for
// loadTime and returns the sessions per second completed in all.
func rate(b *testing.B, urls []string, workers int) float64 {
	b.Helper()
	ctx := context.Background()
	var mu sync.Mutex
	var total float64
	var wg sync.WaitGroup
	errs := make(chan error, len(urls))
	for _, u := range urls {
		wg.Go(func() {
			l, err := NewLoad(ctx, u, e2e.AdminPassword)
			if err != nil {
				errs <- err
				return
			}
			r, err := l.Sessions(ctx, workers/len(urls), loadTime)
			if err != nil {
				errs <- err
				return
			}
			mu.Lock()
			total += r
			mu.Unlock()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	return total
}
