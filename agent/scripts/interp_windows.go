package scripts

import (
	"os/exec"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// interpreter is the program and its arguments that run a script of lang,
// the script's path to be added last, and the script file's name:
// PowerShell with -File, so the script is a file, never a command line.
func interpreter(lang string) (args []string, file string, err error) {
	if lang != protocol.ScriptPowerShell {
		return nil, "", ErrLanguage
	}
	path, err := exec.LookPath("powershell.exe")
	if err != nil {
		return nil, "", ErrLanguage
	}
	return []string{path, "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-File"}, protocol.ScriptFileName(lang), nil
}

// detach does nothing on Windows: kill ends the process.
func detach(*exec.Cmd) {}

// kill ends the script.
func kill(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = cmd.Process.Kill()
	}
}
