package reboot

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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

// desktopText is the autostart entry: prog --reconnect file, each argument
// quoted as the Desktop Entry specification says.
func desktopText(prog, file string) string {
	return fmt.Sprintf(`[Desktop Entry]
Type=Application
Name=Lifeline: reconnect to your support session
Comment=Started once after the restart your technician asked for; removed when used
Exec=%s --reconnect %s
Terminal=false
NoDisplay=true
X-GNOME-Autostart-enabled=true
`, quoteArg(prog), quoteArg(file))
}

// quoteArg quotes one argument of an Exec key: in double quotes, with ",
// `, $ and \ escaped by a backslash, then every backslash doubled as the
// key is a string value.
func quoteArg(s string) string {
	q := `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "`", "\\`", `$`, `\$`).Replace(s) + `"`
	return strings.ReplaceAll(q, `\`, `\\`)
}

// ExecLine reads the Exec line of the autostart entry at path as the
// desktop would run it: the program and its arguments.
func ExecLine(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		v, ok := strings.CutPrefix(line, "Exec=")
		if !ok {
			continue
		}
		return splitExec(strings.ReplaceAll(v, `\\`, `\`))
	}
	return nil, fmt.Errorf("%s: no Exec line", path)
}

// splitExec splits an Exec value (its string escapes undone) into
// arguments: quoted ones with their backslash escapes, bare ones by spaces.
func splitExec(v string) ([]string, error) {
	var args []string
	var cur strings.Builder
	in, have := false, false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case in && c == '\\' && i+1 < len(v):
			i++
			cur.WriteByte(v[i])
		case c == '"':
			in, have = !in, true
		case !in && c == ' ':
			if have || cur.Len() > 0 {
				args = append(args, cur.String())
			}
			cur.Reset()
			have = false
		default:
			cur.WriteByte(c)
		}
	}
	if in {
		return nil, errors.New("Exec line: unclosed quote")
	}
	if have || cur.Len() > 0 {
		args = append(args, cur.String())
	}
	return args, nil
}

// systemRestart is systemd's restart, as the logged-in user may ask it
// (polkit allows the active session's user).
func systemRestart(bool) []*exec.Cmd {
	return []*exec.Cmd{exec.Command("systemctl", "reboot")}
}
