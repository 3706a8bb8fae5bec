//go:build unix

package scripts

import (
	"os/exec"
	"syscall"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// interpreter is the program and its arguments that run a script of lang,
// the script's path to be added last, and the script file's name.
func interpreter(lang string) (args []string, file string, err error) {
	var name string
	switch lang {
	case protocol.ScriptBash:
		name = "bash"
	case protocol.ScriptSh:
		name = "sh"
	default:
		return nil, "", ErrLanguage
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return nil, "", ErrLanguage
	}
	return []string{path}, protocol.ScriptFileName(lang), nil
}

// tree is a script's process and everything it starts: a process group of
// its own, which the agent's exit would not end.
type tree struct{ cmd *exec.Cmd }

// newTree prepares cmd, not yet started, to run in a process group of its
// own, so that stopping it ends what it started too.
func newTree(cmd *exec.Cmd) (*tree, error) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return &tree{cmd: cmd}, nil
}

// started is called once cmd has started: the group exists already.
func (t *tree) started() error { return nil }

// kill ends the script's process group.
func (t *tree) kill() {
	if t.cmd.Process != nil {
		_ = syscall.Kill(-t.cmd.Process.Pid, syscall.SIGKILL)
	}
}

// close lets go of the tree (nothing to free here).
func (t *tree) close() {}
