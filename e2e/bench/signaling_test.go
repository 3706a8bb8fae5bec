package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/e2e"
)

// Load sizes: idleAgents connected agents for the memory figure, then
// loadWorkers consoles playing whole sessions for loadTime.
const (
	idleAgents  = 3000
	loadWorkers = 32
	loadTime    = 10 * time.Second
)

// BenchmarkSignaling drives a signaling node (its own process, embedded
// NATS, fresh data) with the load generator: how much memory idle connected
// agents cost, then, on a second fresh node, how many whole sessions per
// second it handles. (Two nodes: thousands of agents leaving at once would
// flood the consoles of the second part with session updates.)
func BenchmarkSignaling(b *testing.B) {
	for b.Loop() {
		url, pid := startSignaling(b)
		ctx := context.Background()
		load, err := NewLoad(ctx, url, e2e.AdminPassword)
		if err != nil {
			b.Fatal(err)
		}
		// Warm up (first sessions, JetStream buckets), then the baseline.
		if _, err := load.Sessions(ctx, 4, time.Second); err != nil {
			b.Fatal(err)
		}
		time.Sleep(time.Second)
		before := rss(b, pid)
		closeIdle, err := load.IdleAgents(ctx, idleAgents, 16)
		if err != nil {
			b.Fatal(err)
		}
		time.Sleep(2 * time.Second)
		after := rss(b, pid)
		perAgent := (after - before) / idleAgents
		closeIdle()

		var args []string
		profile := os.Getenv("LIFELINE_BENCH_PROFILE")
		if profile != "" {
			args = []string{"--metrics-addr", fmt.Sprintf("127.0.0.1:%d", freePort(b))}
		}
		url, _ = startSignaling(b, args...)
		if load, err = NewLoad(ctx, url, e2e.AdminPassword); err != nil {
			b.Fatal(err)
		}
		if profile != "" {
			go cpuProfile(b, "http://"+args[1]+"/debug/pprof/profile?seconds="+fmt.Sprint(int(loadTime.Seconds())-1), profile)
		}
		perSec, err := load.Sessions(ctx, loadWorkers, loadTime)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(0, "ns/op")
		b.ReportMetric(perSec, "signaling_sessions_per_s")
		b.ReportMetric((1<<30)/perAgent, "signaling_idle_sessions_per_GiB")
		b.ReportMetric(perAgent/1024, "KiB_per_idle_agent")
		results.Set("signaling_sessions_per_s", perSec)
		results.Set("signaling_idle_sessions_per_GiB", (1<<30)/perAgent)
		results.Note("Signaling: %d idle agents grew the node's RSS by %.0f KiB each (%.0f → %.0f MiB); %d consoles playing whole sessions (create, join, allow, 5 KB offer and answer, 4 candidates, end) for %s; load generator on the same %d CPUs.",
			idleAgents, perAgent/1024, before/(1<<20), after/(1<<20), loadWorkers, loadTime, runtime.NumCPU())
	}
}

// startSignaling runs the signaling binary with fresh data (and args) and
// returns its URL and process id.
func startSignaling(b *testing.B, args ...string) (string, int) {
	b.Helper()
	bin := e2e.Binaries(b)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, filepath.Join(bin, "signaling"), append([]string{
		"--addr", "127.0.0.1:0", "--data", b.TempDir(), "--agent-dir", filepath.Join(bin, "agents"), "--org", "Acme IT", "--turn-listen", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), "LIFELINE_ADMIN_PASSWORD="+e2e.AdminPassword)
	logs, err := os.CreateTemp(b.TempDir(), "signaling-*.log")
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = logs
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		if b.Failed() {
			log, _ := os.ReadFile(logs.Name())
			b.Logf("signaling log, without agents leaving:\n%s", grepOut(string(log), "agent left"))
		}
	})
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "Lifeline is listening on "); ok {
				urlc <- u
			}
		}
	}()
	select {
	case u := <-urlc:
		return u, cmd.Process.Pid
	case <-time.After(e2e.Timeout):
		b.Fatal("signaling did not start")
		return "", 0
	}
}

// grepOut returns the lines of s that do not contain drop.
func grepOut(s, drop string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		if !strings.Contains(l, drop) {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// cpuProfile saves the node's CPU profile from url in file (set
// LIFELINE_BENCH_PROFILE=file to get one; read it with go tool pprof).
func cpuProfile(b *testing.B, url, file string) {
	resp, err := http.Get(url)
	if err != nil {
		b.Logf("profile: %v", err)
		return
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err == nil {
		err = os.WriteFile(file, data, 0o644)
	}
	if err != nil {
		b.Logf("profile: %v", err)
	}
}

func freePort(b *testing.B) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
