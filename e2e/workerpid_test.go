package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// forkFromThread is a Go program that starts a child from a thread other
// than its main one, as the agent's supervisor may start its worker.
const forkFromThread = `package main

import (
	"fmt"
	"os/exec"
	"runtime"
)

func main() {
	runtime.LockOSThread() // the main goroutine keeps the main thread
	started := make(chan int)
	go func() {
		runtime.LockOSThread() // so this one runs on another
		cmd := exec.Command("sleep", "60")
		if err := cmd.Start(); err != nil {
			panic(err)
		}
		started <- cmd.Process.Pid
		_ = cmd.Wait()
	}()
	fmt.Println(<-started)
	select {}
}
`

// The soak's kill killed the agent's supervisor instead of its worker (a
// 2-minute run: "timed out waiting for session state reconnecting", the
// worker ending the session as its supervisor vanished): WorkerPid read the
// children of the main thread only, and Go forks from any thread.
func TestWorkerPidFindsAChildOfAnyThread(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "fork.go")
	if err := os.WriteFile(src, []byte(forkFromThread), 0o600); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "fork")
	build := exec.Command("go", "build", "-o", bin, src)
	build.Dir = dir
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	out := &lockedBuffer{}
	cmd := exec.Command(bin)
	cmd.Stdout = out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	var child int
	waitFor(t, "the child's pid", func() bool {
		child, _ = strconv.Atoi(strings.TrimSpace(out.String()))
		return child > 0
	})
	t.Cleanup(func() {
		if p, err := os.FindProcess(child); err == nil {
			_ = p.Kill()
		}
	})
	c := &Customer{cmd: cmd, Started: time.Now()}
	if got := c.WorkerPid(t); got != child {
		t.Fatalf("WorkerPid = %d, want the child %d (the program is %d)", got, child, cmd.Process.Pid)
	}
}
