package sysinfo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// commandTimeout bounds one run of systemctl, rpm or journalctl.
const commandTimeout = 20 * time.Second

// linuxInventory reads the inventory tabs: systemd's units (systemctl),
// dpkg's status file or rpm, XDG autostart entries and systemd user units,
// /proc/modules and the journal (journalctl). Its roots and its command
// runner are set apart for tests.
type linuxInventory struct {
	proc, dpkg string
	// autostart lists the folders of XDG autostart entries, the user's
	// first (an entry there hides one of the same file name after it).
	autostart []string
	// userUnits lists the folders of systemd user units' *.wants links.
	userUnits []string
	// run runs a program (never through a shell) and returns its output.
	run   func(ctx context.Context, name string, args ...string) ([]byte, error)
	admin func() bool
}

// newInventory returns the system's inventory.
func newInventory() inventory {
	home, _ := os.UserHomeDir()
	config := os.Getenv("XDG_CONFIG_HOME")
	if config == "" {
		config = filepath.Join(home, ".config")
	}
	dirs := os.Getenv("XDG_CONFIG_DIRS")
	if dirs == "" {
		dirs = "/etc/xdg"
	}
	autostart := []string{filepath.Join(config, "autostart")}
	for _, d := range filepath.SplitList(dirs) {
		autostart = append(autostart, filepath.Join(d, "autostart"))
	}
	return &linuxInventory{
		proc: "/proc", dpkg: "/var/lib/dpkg/status",
		autostart: autostart,
		userUnits: []string{filepath.Join(config, "systemd", "user"), "/etc/systemd/user"},
		run: func(ctx context.Context, name string, args ...string) ([]byte, error) {
			cmd := exec.CommandContext(ctx, name, args...)
			cmd.Env = append(os.Environ(), "LC_ALL=C", "SYSTEMD_COLORS=0")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil && stderr.Len() > 0 {
				err = errors.New(strings.TrimSpace(stderr.String()))
			}
			return out, err
		},
		admin: func() bool { return os.Geteuid() == 0 },
	}
}

func (l *linuxInventory) command(name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	return l.run(ctx, name, args...)
}

func (l *linuxInventory) elevated() bool { return l.admin() }

func (l *linuxInventory) services() ([]protocol.Entry, error) {
	out, err := l.command("systemctl", "list-units", "--type=service", "--all", "--plain", "--no-legend", "--no-pager")
	if err != nil {
		return nil, ErrNoServices
	}
	return parseUnits(out), nil
}

// service runs action on service name, only when name is one of the
// services listed now (never another kind of unit, nor one the technician
// could not have seen).
func (l *linuxInventory) service(name, action string) error {
	list, err := l.services()
	if err != nil {
		return err
	}
	base := strings.TrimSuffix(name, ".service")
	if !slices.ContainsFunc(list, func(e protocol.Entry) bool { return e.Name == base }) {
		return ErrNoService
	}
	unit := base + ".service"
	if _, err := l.command("systemctl", action, "--no-ask-password", "--", unit); err != nil {
		msg := err.Error()
		switch {
		case strings.Contains(msg, "not found") || strings.Contains(msg, "not loaded"):
			return ErrNoService
		case strings.Contains(msg, "Access denied") || strings.Contains(msg, "authentication"):
			return ErrNeedsAdmin
		}
		return fmt.Errorf("%w: %s", ErrServiceFailed, clip(msg))
	}
	return nil
}

func (l *linuxInventory) applications() ([]protocol.Entry, error) {
	if b, err := os.ReadFile(l.dpkg); err == nil {
		return parseDpkgStatus(b), nil
	}
	out, err := l.command("rpm", "-qa", "--queryformat", `%{NAME}\t%{VERSION}-%{RELEASE}\t%{SUMMARY}\n`)
	if err != nil {
		return nil, ErrNoApplications
	}
	return parseRPM(out), nil
}

func (l *linuxInventory) startup() ([]protocol.Entry, error) {
	var out []protocol.Entry
	seen := map[string]bool{}
	for _, dir := range l.autostart {
		es, _ := os.ReadDir(dir)
		for _, e := range es {
			if !strings.HasSuffix(e.Name(), ".desktop") || seen[e.Name()] {
				continue
			}
			seen[e.Name()] = true
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				continue
			}
			name, cmd, on := parseDesktopEntry(b)
			if name == "" {
				name = strings.TrimSuffix(e.Name(), ".desktop")
			}
			out = append(out, protocol.Entry{Name: name, State: onOff(on), Source: clip(filepath.Join(dir, e.Name())), Detail: cmd})
		}
	}
	for _, dir := range l.userUnits {
		wants, _ := filepath.Glob(filepath.Join(dir, "*.wants", "*"))
		slices.Sort(wants)
		for _, w := range wants {
			out = append(out, protocol.Entry{Name: clip(filepath.Base(w)), State: onOff(true), Source: clip(w), Detail: "systemd user unit"})
		}
	}
	return out, nil
}

func onOff(on bool) string {
	if on {
		return "enabled"
	}
	return "disabled"
}

func (l *linuxInventory) drivers() ([]protocol.Entry, error) {
	b, err := os.ReadFile(filepath.Join(l.proc, "modules"))
	if err != nil {
		return nil, ErrNoModules
	}
	return parseModules(b), nil
}

func (l *linuxInventory) events(level string) ([]protocol.Entry, error) {
	args := []string{"-o", "json", "--reverse", "--no-pager", "-n", strconv.Itoa(protocol.MaxEvents)}
	if p := levelPriority(level); p >= 0 {
		args = append(args, "-p", strconv.Itoa(p))
	}
	out, err := l.command("journalctl", args...)
	if err != nil {
		return nil, errors.Join(ErrNoJournal, err)
	}
	return parseJournal(out), nil
}
