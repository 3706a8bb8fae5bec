package reboot

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/lifeline-support/lifeline/agent/desktopentry"
)

// safeModeSystem: Linux has no safe mode with networking to restart into.
const safeModeSystem = false

// AutostartName is the XDG autostart entry's file name.
const AutostartName = "lifeline-reconnect.desktop"

// Autostart is the path of the XDG autostart entry the desktop runs once
// the customer logs in.
func (p Place) Autostart() (string, error) {
	b, err := p.base()
	if err != nil {
		return "", err
	}
	return filepath.Join(b, "autostart", AutostartName), nil
}

func (p Place) leaveAutostart(prog, file string, _ bool) error {
	path, err := p.Autostart()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(desktopText(prog, file)), 0o600)
}

func (p Place) removeAutostart() error {
	path, err := p.Autostart()
	if err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// desktopText is the autostart entry: prog --reconnect file, written as
// the Desktop Entry specification says (desktopentry).
func desktopText(prog, file string) string {
	return `[Desktop Entry]
Type=Application
Name=Lifeline: reconnect to your support session
Comment=Started once after the restart your technician asked for; removed when used
` + desktopentry.ExecLine(prog, "--reconnect", file) + `
Terminal=false
NoDisplay=true
X-GNOME-Autostart-enabled=true
`
}

// systemRestart is systemd's restart, as the logged-in user may ask it
// (polkit allows the active session's user).
func systemRestart(bool) []*exec.Cmd {
	return []*exec.Cmd{exec.Command("systemctl", "reboot")}
}
