package main

import (
	"bytes"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// stopTimeout bounds how long a process has to exit after SIGTERM before SIGKILL.
const stopTimeout = 5 * time.Second

// demo tracks what the demo started, to stop it in reverse order.
type demo struct {
	cfg   config
	stops []func()
	wg    sync.WaitGroup // goroutines the demo started, besides process waits
}

// onStop registers f to run at stopAll, before everything registered earlier.
func (d *demo) onStop(f func()) { d.stops = append(d.stops, f) }

// stopAll runs the registered stops, last registered first, then waits for the
// demo's goroutines.
func (d *demo) stopAll() {
	for i := len(d.stops) - 1; i >= 0; i-- {
		d.stops[i]()
	}
	d.wg.Wait()
}

// proc is one child process, in its own process group so that a Ctrl-C reaches
// the demo only and the demo stops its children in order.
type proc struct {
	name string
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited

	mu   sync.Mutex
	last string // last line it wrote to stderr, for error messages
}

// start starts cmd; each line of its stdout goes to onStdout, each line of its
// stderr is remembered and, with -v, printed. stopAll stops it.
func (d *demo) start(name string, cmd *exec.Cmd, onStdout func(line string)) (*proc, error) {
	p := &proc{name: name, cmd: cmd, done: make(chan struct{})}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = time.Second
	cmd.Stdout = &lineWriter{fn: onStdout}
	cmd.Stderr = &lineWriter{fn: func(line string) {
		p.mu.Lock()
		p.last = line
		p.mu.Unlock()
		if d.cfg.Verbose {
			fmt.Printf("%s log: %s\n", name, line)
		}
	}}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() {
		_ = cmd.Wait()
		close(p.done)
	}()
	d.onStop(p.stop)
	return p, nil
}

// stop sends SIGTERM to the process group, then SIGKILL if it has not exited
// within stopTimeout, and waits for it.
func (p *proc) stop() {
	pgid := -p.cmd.Process.Pid
	_ = syscall.Kill(pgid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(stopTimeout):
		fmt.Printf("%s did not stop after %v; killing it\n", p.name, stopTimeout)
		_ = syscall.Kill(pgid, syscall.SIGKILL)
		<-p.done
	}
	_ = syscall.Kill(pgid, syscall.SIGKILL) // anything it left behind in its group
}

// lastLine is the last line the process wrote to stderr, or its exit status.
func (p *proc) lastLine() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.last != "" {
		return p.last
	}
	if st := p.cmd.ProcessState; st != nil {
		return st.String()
	}
	return "no output"
}

// lineWriter calls fn once per complete line written to it. exec copies a
// child's output from one goroutine per stream, so it needs no lock.
type lineWriter struct {
	fn  func(string)
	buf []byte
}

func (w *lineWriter) Write(b []byte) (int, error) {
	w.buf = append(w.buf, b...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			return len(b), nil
		}
		line := strings.TrimRight(string(w.buf[:i]), "\r")
		w.buf = w.buf[i+1:]
		if w.fn != nil {
			w.fn(line)
		}
	}
}
