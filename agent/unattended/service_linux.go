package unattended

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// programName is the installed program's file name.
const programName = "lifeline-agent"

// UnitName is the systemd user unit that runs the device.
const UnitName = "lifeline-unattended.service"

// Unit is the path of the systemd user unit.
func (p Place) Unit() (string, error) {
	b, err := p.base()
	if err != nil {
		return "", err
	}
	return filepath.Join(b, "systemd", "user", UnitName), nil
}

// unitText is the user unit: started with the user's graphical session, so
// that it gets the session's DISPLAY as every program of it does.
func unitText(prog string) string {
	return fmt.Sprintf(`[Unit]
Description=Lifeline unattended access (remove it with: %[1]s --unattended-remove)
After=graphical-session.target
PartOf=graphical-session.target

[Service]
ExecStart=%[1]s --unattended
Restart=on-failure
RestartSec=5

[Install]
WantedBy=graphical-session.target
`, quoteExec(prog))
}

// quoteExec quotes a path for ExecStart.
func quoteExec(s string) string {
	if !strings.ContainsAny(s, " \t\"\\") {
		return s
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// ExecStart reads the command line of the unit at path, as the session
// manager would run it.
func ExecStart(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "ExecStart="); ok {
			if strings.HasPrefix(v, `"`) {
				end := strings.Index(v[1:], `" `)
				if end < 0 {
					return nil, fmt.Errorf("unit %s: bad ExecStart", path)
				}
				prog := strings.NewReplacer(`\\`, `\`, `\"`, `"`).Replace(v[1 : end+1])
				return append([]string{prog}, strings.Fields(v[end+2:])...), nil
			}
			return strings.Fields(v), nil
		}
	}
	return nil, fmt.Errorf("unit %s: no ExecStart", path)
}

// userManager reports whether the user's systemd manager runs (it keeps its
// socket under XDG_RUNTIME_DIR).
func userManager() bool {
	dir := os.Getenv("XDG_RUNTIME_DIR")
	if dir == "" {
		return false
	}
	_, err := os.Stat(filepath.Join(dir, "systemd", "private"))
	return err == nil
}

func (p Place) installService(prog string) error {
	unit, err := p.Unit()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(unit), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(unit, []byte(unitText(prog)), 0o644); err != nil {
		return err
	}
	if !userManager() {
		return nil // started by the next session that runs a user manager
	}
	if out, err := exec.Command("systemctl", "--user", "daemon-reload").CombinedOutput(); err != nil {
		return fmt.Errorf("systemctl daemon-reload: %v: %s", err, out)
	}
	if out, err := exec.Command("systemctl", "--user", "enable", "--now", UnitName).CombinedOutput(); err != nil {
		return fmt.Errorf("systemctl enable: %v: %s", err, out)
	}
	return nil
}

func (p Place) removeService() error {
	unit, err := p.Unit()
	if err != nil {
		return err
	}
	if userManager() {
		_ = exec.Command("systemctl", "--user", "disable", "--now", UnitName).Run()
	}
	if err := os.Remove(unit); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if userManager() {
		_ = exec.Command("systemctl", "--user", "daemon-reload").Run()
	}
	return nil
}

// AsService runs run: systemd runs a user unit as any program.
func AsService(ctx context.Context, run func(context.Context) error) error { return run(ctx) }
