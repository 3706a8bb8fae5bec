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

// detach puts the script in a process group of its own, so that stopping
// it ends what it started too.
func detach(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// kill ends the script's process group.
func kill(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
