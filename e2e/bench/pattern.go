package bench

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/e2e"
)

// Layout of the pattern program's top strip (see pattern/main.go).
const (
	blockStep = 48
	blockX0   = 16
	blockSize = 40
	blockY0   = 4
	targetX   = 1750
)

var (
	patternOnce sync.Once
	patternBin  string
	patternErr  error
)

// Pattern is a running pattern program: one workload on the customer's screen.
type Pattern struct {
	cmd  *exec.Cmd
	done chan struct{}

	mu     sync.Mutex
	drawn  map[uint16]int64 // counter value → Unix ns it was drawn
	clicks []int64          // Unix ns of each button press it saw
}

// StartPattern runs the pattern program in mode on display and waits until its
// window is up. It stops when the benchmark ends or on Stop.
func StartPattern(t testing.TB, display, mode string) *Pattern {
	t.Helper()
	patternOnce.Do(func() {
		dir, err := os.MkdirTemp("", "lifeline-bench")
		if err != nil {
			patternErr = err
			return
		}
		patternBin = filepath.Join(dir, "pattern")
		out, err := exec.Command("go", "build", "-o", patternBin, "github.com/lifeline-support/lifeline/e2e/bench/pattern").CombinedOutput()
		if err != nil {
			patternErr = fmt.Errorf("build pattern: %v\n%s", err, out)
		}
	})
	if patternErr != nil {
		t.Fatal(patternErr)
	}
	p := &Pattern{drawn: map[uint16]int64{}, done: make(chan struct{})}
	p.cmd = exec.Command(patternBin, "-mode", mode)
	p.cmd.Env = append(os.Environ(), "DISPLAY="+display)
	p.cmd.Stderr = os.Stderr
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan struct{})
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			switch {
			case len(f) == 1 && f[0] == "ready":
				close(ready)
			case len(f) == 3 && f[0] == "c":
				v, _ := strconv.ParseUint(f[1], 10, 16)
				at, _ := strconv.ParseInt(f[2], 10, 64)
				p.mu.Lock()
				p.drawn[uint16(v)] = at
				p.mu.Unlock()
			case len(f) == 2 && f[0] == "b":
				at, _ := strconv.ParseInt(f[1], 10, 64)
				p.mu.Lock()
				p.clicks = append(p.clicks, at)
				p.mu.Unlock()
			}
		}
		_ = p.cmd.Wait()
	}()
	t.Cleanup(p.Stop)
	select {
	case <-ready:
	case <-p.done:
		t.Fatalf("pattern %s exited before its window was up", mode)
	case <-time.After(e2e.Timeout):
		t.Fatalf("pattern %s did not start", mode)
	}
	return p
}

// Stop ends the program and waits for it.
func (p *Pattern) Stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// Drawn returns when counter value v was drawn (Unix ns), if it was.
func (p *Pattern) Drawn(v uint16) (int64, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	at, ok := p.drawn[v]
	return at, ok
}

// Clicks returns how many button presses the window has seen.
func (p *Pattern) Clicks() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.clicks)
}

// Presses returns when the window saw each button press (Unix ns).
func (p *Pattern) Presses() []int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.clicks)
}
