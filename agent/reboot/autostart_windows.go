package reboot

import (
	"errors"
	"os/exec"
	"strings"

	"golang.org/x/sys/windows/registry"
)

// safeModeSystem: Windows restarts in safe mode with networking.
const safeModeSystem = true

// runOnceKey is the user's RunOnce key: Windows runs each value once, at
// the user's next logon, and deletes it before it runs.
const runOnceKey = `Software\Microsoft\Windows\CurrentVersion\RunOnce`

// RunOnceName is the RunOnce value that starts the agent after the
// restart; with a leading "*" (safeModeName) Windows runs it in safe mode
// too.
const (
	RunOnceName  = "LifelineReconnect"
	safeModeName = "*" + RunOnceName
	// safeBootOff takes the safe mode flag back once the computer is up.
	safeBootOff = "*LifelineSafeModeOff"
)

func (p Place) leaveAutostart(prog, file string, safe bool) error {
	k, _, err := registry.CreateKey(registry.CURRENT_USER, runOnceKey, registry.SET_VALUE)
	if err != nil {
		return err
	}
	defer k.Close()
	name := RunOnceName
	if safe {
		name = safeModeName
		if err := k.SetStringValue(safeBootOff, `bcdedit /deletevalue {current} safeboot`); err != nil {
			return err
		}
	}
	return k.SetStringValue(name, runOnceText(prog, file))
}

func (p Place) removeAutostart() error {
	k, err := registry.OpenKey(registry.CURRENT_USER, runOnceKey, registry.SET_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	defer k.Close()
	for _, n := range []string{RunOnceName, safeModeName} {
		if err := k.DeleteValue(n); err != nil && !errors.Is(err, registry.ErrNotExist) {
			return err
		}
	}
	return nil
}

// runOnceText is the RunOnce command line: prog --reconnect file, each
// quoted as Windows' command-line parsing reads them back.
func runOnceText(prog, file string) string {
	return quoteWin(prog) + " --reconnect " + quoteWin(file)
}

// quoteWin quotes one argument for CommandLineToArgvW (paths hold no
// double quotes on Windows; a trailing backslash is doubled).
func quoteWin(s string) string {
	if strings.HasSuffix(s, `\`) {
		s += `\`
	}
	return `"` + s + `"`
}

// systemRestart is Windows' restart, at once; safe: in safe mode with
// networking first (bcdedit), taken back by the RunOnce value safeBootOff.
func systemRestart(safe bool) []*exec.Cmd {
	var cmds []*exec.Cmd
	if safe {
		cmds = append(cmds, exec.Command("bcdedit", "/set", "{current}", "safeboot", "network"))
	}
	return append(cmds, exec.Command("shutdown", "/r", "/t", "0"))
}
