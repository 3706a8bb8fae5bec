//go:build !windows

package supervise

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/lifeline-support/lifeline/shared/i18n"
)

// helperEnv tells the test binary, run as a worker, what to do.
const helperEnv = "SUPERVISE_TEST_WORKER"

// TestMain lets this test binary be its own worker (the supervisor runs
// os.Executable again, as the agent does).
func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" && IsWorker() {
		os.Exit(worker(mode))
	}
	os.Exit(m.Run())
}

// worker journals a held key and button, a remapped keycode and a partial
// file, then dies by SIGKILL ("kill") or waits for its stop and exits
// cleanly ("clean").
func worker(mode string) int {
	j, stop, ok, err := Attach()
	if !ok || err != nil {
		return 3
	}
	part := os.Getenv("SUPERVISE_TEST_PART")
	j.Key(37, true)
	j.Button(1, true)
	j.Keymap(255, 0x010020ac)
	if err := os.WriteFile(part, []byte("half"), 0o600); err != nil {
		return 4
	}
	j.Partial(part, false)
	if mode == "kill" {
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	}
	<-stop
	j.Key(37, false)
	j.Button(1, false)
	j.Keymap(255, 0)
	_ = os.Remove(part)
	j.Partial(part, true)
	j.End()
	return 0
}

type run struct {
	code     int
	out      string
	released []*Leftovers
	part     string
}

func superviseHelper(t *testing.T, mode string, ctx context.Context) run {
	t.Helper()
	part := filepath.Join(t.TempDir(), ".f.lifeline-part")
	t.Setenv(helperEnv, mode)
	t.Setenv("SUPERVISE_TEST_PART", part)
	var out bytes.Buffer
	var mu sync.Mutex
	var released []*Leftovers
	code := Run(ctx, Config{Args: []string{"-test.run=^$"}, Out: &out, Lang: i18n.EN, Release: func(l *Leftovers) error {
		mu.Lock()
		defer mu.Unlock()
		released = append(released, l)
		return nil
	}})
	return run{code: code, out: out.String(), released: released, part: part}
}

// A worker killed by SIGKILL: the supervisor releases what it held, removes
// its partial file, tells the customer and exits 1.
func TestSupervisorUndoesWhatAKilledWorkerLeft(t *testing.T) {
	r := superviseHelper(t, "kill", context.Background())
	if r.code != 1 {
		t.Errorf("exit code %d, want 1", r.code)
	}
	if len(r.released) != 1 || !r.released[0].Keys[37] || !r.released[0].Buttons[1] || r.released[0].Keymap[255] != 0x010020ac {
		t.Fatalf("released %v, want key 37, button 1 and keycode 255", r.released)
	}
	if _, err := os.Stat(r.part); !os.IsNotExist(err) {
		t.Errorf("partial file left: %v", err)
	}
	if !strings.Contains(r.out, "Lifeline stopped unexpectedly") {
		t.Errorf("the customer was not told: %q", r.out)
	}
}

// Asked to stop, the worker cleans up itself: nothing to release, no message.
func TestSupervisorStopsItsWorkerCleanly(t *testing.T) {
	// Stopped from the start: the worker still journals first, then sees its
	// lifeline closed (as when the supervisor dies) and undoes everything.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := superviseHelper(t, "clean", ctx)
	if r.code != 0 || len(r.released) != 0 || r.out != "" {
		t.Errorf("exit %d, released %v, told %q; want a quiet clean exit", r.code, r.released, r.out)
	}
}
