//go:build windows

package supervise

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
)

// stopSignals ask the supervisor, and through it the worker, to stop
// (Windows delivers Ctrl+C and console close as os.Interrupt).
var stopSignals = []os.Signal{os.Interrupt}

// startWorker starts cmd with the journal's write handle and the lifeline's
// read handle inherited, their values named in the worker's variable.
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
	cmd.SysProcAttr = &syscall.SysProcAttr{AdditionalInheritedHandles: []syscall.Handle{syscall.Handle(jw.Fd()), syscall.Handle(lr.Fd())}}
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d,%d", workerEnv, jw.Fd(), lr.Fd()))
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

// openPipes opens the worker's handles named by v and stops programs the
// worker starts from inheriting them.
func openPipes(v string) (journal, lifeline *os.File, err error) {
	a, b, _ := strings.Cut(v, ",")
	jh, err1 := strconv.ParseUint(a, 10, 64)
	lh, err2 := strconv.ParseUint(b, 10, 64)
	if err1 != nil || err2 != nil || jh == 0 || lh == 0 {
		return nil, nil, fmt.Errorf("%w: %q", ErrBadJournal, v)
	}
	for _, h := range []uint64{jh, lh} {
		_ = syscall.SetHandleInformation(syscall.Handle(h), syscall.HANDLE_FLAG_INHERIT, 0)
	}
	return os.NewFile(uintptr(jh), "journal"), os.NewFile(uintptr(lh), "lifeline"), nil
}
