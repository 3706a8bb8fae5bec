//go:build unix

package terminal

import (
	"errors"
	"os"
	"os/exec"
	"syscall"

	"github.com/creack/pty"
)

// ptyShell is a shell on a pseudo-terminal, in a session of its own.
type ptyShell struct {
	f   *os.File
	cmd *exec.Cmd
}

// defaultShell is the agent's user's login shell, or /bin/sh.
func defaultShell() string {
	if s := os.Getenv("SHELL"); s != "" {
		return s
	}
	return "/bin/sh"
}

// startShell starts shell (a program path, never a command line: nothing
// passes through a shell's parsing) on a new pty of cols×rows, as the
// agent's user, in their home folder.
func startShell(shell string, cols, rows int) (shellProc, error) {
	cmd := exec.Command(shell)
	cmd.Env = append(os.Environ(), "TERM=xterm-256color", "LIFELINE_TERMINAL=1")
	if home, err := os.UserHomeDir(); err == nil {
		cmd.Dir = home
	}
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: uint16(cols), Rows: uint16(rows)})
	if err != nil {
		return nil, err
	}
	return &ptyShell{f: f, cmd: cmd}, nil
}

func (p *ptyShell) Read(b []byte) (int, error)  { return p.f.Read(b) }
func (p *ptyShell) Write(b []byte) (int, error) { return p.f.Write(b) }

func (p *ptyShell) Resize(cols, rows int) error {
	return pty.Setsize(p.f, &pty.Winsize{Cols: uint16(cols), Rows: uint16(rows)})
}

// Close hangs the terminal up: the shell's whole session gets SIGHUP, as
// when a terminal window closes, then SIGKILL if it is still there.
func (p *ptyShell) Close() error {
	if p.cmd.Process != nil {
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGHUP)
	}
	return p.f.Close()
}

// Kill ends the shell's session for good.
func (p *ptyShell) Kill() {
	if p.cmd.Process != nil {
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	}
}

// Wait waits for the shell and returns its exit status.
func (p *ptyShell) Wait() int {
	err := p.cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}
