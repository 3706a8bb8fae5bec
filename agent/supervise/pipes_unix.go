//go:build !windows

package supervise

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
)

// stopSignals ask the supervisor, and through it the worker, to stop.
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

// startWorker starts cmd with the journal's write end as fd 3 and the
// lifeline's read end as fd 4.
func startWorker(cmd *exec.Cmd) (*pipes, error) {
	jr, jw, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	lr, lw, err := os.Pipe()
	if err != nil {
		jr.Close()
		jw.Close()
		return nil, err
	}
	cmd.ExtraFiles = []*os.File{jw, lr}
	cmd.Env = append(os.Environ(), workerEnv+"=3,4")
	err = cmd.Start()
	jw.Close()
	lr.Close()
	if err != nil {
		jr.Close()
		lw.Close()
		return nil, err
	}
	return &pipes{journal: jr, lifeline: lw}, nil
}

// openPipes opens the worker's fds named by v ("3,4"), marked close-on-exec
// so that programs the worker starts (xclip, xdg-open) do not hold them.
func openPipes(v string) (journal, lifeline *os.File, err error) {
	a, b, _ := strings.Cut(v, ",")
	jfd, err1 := strconv.Atoi(a)
	lfd, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil || jfd < 3 || lfd < 3 {
		return nil, nil, fmt.Errorf("%w: %q", ErrBadJournal, v)
	}
	syscall.CloseOnExec(jfd)
	syscall.CloseOnExec(lfd)
	return os.NewFile(uintptr(jfd), "journal"), os.NewFile(uintptr(lfd), "lifeline"), nil
}
