// Package reboot restarts the customer's computer when they agreed, and
// brings the agent back into the same session after they log in again: a
// one-shot autostart entry (an XDG autostart file on Linux, a RunOnce value
// on Windows) starts the program with --reconnect and the entry's file,
// which holds the session's resume secret (mode 0600), never an invitation.
// The entry is removed when it is used, and refused (and removed) when it is
// older than MaxAge.
package reboot

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// MaxAge is how long an entry that does not say how long the server waits
// (Entry.Wait) may bring the program back: the server's default wait
// (session.DefaultRebooting).
const MaxAge = 10 * time.Minute

// MaxWait bounds Entry.Wait: an entry never outlives a day.
const MaxWait = 24 * time.Hour

// EnvCommand names the program that restarts the computer instead of the
// system's own (systemctl reboot, shutdown /r): for tests and operations
// only. It runs with no arguments; nothing passes through a shell.
const EnvCommand = "LIFELINE_REBOOT_COMMAND"

// Entry is what the program started after the restart needs to resume the
// session, and to ask the customer first.
type Entry struct {
	Server string `json:"server"`
	SID    string `json:"sid"`
	// Secret is the session's resume secret: it resumes this session only,
	// once, while the server waits for the restarted computer.
	Secret     string    `json:"secret"`
	Technician string    `json:"technician"`
	Org        string    `json:"org"`
	Lang       string    `json:"lang,omitempty"`
	Made       time.Time `json:"made"`
	SafeMode   bool      `json:"safeMode,omitempty"`
	// Wait is how long the server waits for the computer to come back
	// (0: MaxAge; at most MaxWait): the entry is refused after it.
	Wait time.Duration `json:"wait,omitempty"`
}

// maxAge is how long e may bring the program back.
func (e Entry) maxAge() time.Duration {
	switch {
	case e.Wait <= 0:
		return MaxAge
	case e.Wait > MaxWait:
		return MaxWait
	}
	return e.Wait
}

// Place is where the entry lives: Config is the user's configuration
// directory (empty: os.UserConfigDir), under which are lifeline/reboot (the
// entry's file) and, on Linux, autostart.
type Place struct {
	Config string
}

func (p Place) base() (string, error) {
	if p.Config != "" {
		return p.Config, nil
	}
	return os.UserConfigDir()
}

// dir is the directory of the entries' files.
func (p Place) dir() (string, error) {
	b, err := p.base()
	if err != nil {
		return "", err
	}
	return filepath.Join(b, "lifeline", "reboot"), nil
}

// File is the path of the entry's file for session sid.
func (p Place) File(sid string) (string, error) {
	d, err := p.dir()
	if err != nil {
		return "", err
	}
	if sid == "" || strings.ContainsAny(sid, `/\.`) {
		return "", fmt.Errorf("%w: session %q", ErrBadEntry, sid)
	}
	return filepath.Join(d, sid+".json"), nil
}

// own reports whether file is an entry's file of p: a .json file right in
// its directory.
func (p Place) own(file string) bool {
	d, err := p.dir()
	if err != nil {
		return false
	}
	d, err1 := filepath.Abs(d)
	f, err2 := filepath.Abs(file)
	return err1 == nil && err2 == nil && filepath.Dir(f) == d && filepath.Ext(f) == ".json"
}

// Leave writes the entry for e (its file, readable by the user only, then
// the autostart entry that runs prog --reconnect FILE), and returns the
// file's path.
func (p Place) Leave(e Entry, prog string) (string, error) {
	file, err := p.File(e.SID)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(e)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return "", err
	}
	tmp := file + ".new"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return "", err
	}
	if err := os.Chmod(tmp, 0o600); err != nil { // whatever the umask or an older file
		return "", err
	}
	if err := os.Rename(tmp, file); err != nil {
		return "", err
	}
	if err := p.leaveAutostart(prog, file, e.SafeMode); err != nil {
		_ = os.Remove(file)
		return "", err
	}
	return file, nil
}

// Take reads the entry at file and removes it and the autostart entry at
// once, whatever follows (one-shot): ErrUsed when it is gone, ErrTooOld
// past its wait (Entry.Wait, else MaxAge) at now, ErrBadEntry when it cannot be read
// or is not an entry's file of p (then nothing is removed).
func (p Place) Take(file string, now time.Time) (Entry, error) {
	if !p.own(file) {
		return Entry{}, fmt.Errorf("%w: %s is not in the restart entries' folder", ErrBadEntry, file)
	}
	b, err := os.ReadFile(file)
	_ = os.Remove(file)
	_ = p.removeAutostart()
	if errors.Is(err, fs.ErrNotExist) {
		return Entry{}, ErrUsed
	} else if err != nil {
		return Entry{}, fmt.Errorf("%w: %v", ErrBadEntry, err)
	}
	var e Entry
	if err := json.Unmarshal(b, &e); err != nil || e.SID == "" || e.Secret == "" || e.Server == "" {
		return Entry{}, ErrBadEntry
	}
	if age := now.Sub(e.Made); age > e.maxAge() || age < -time.Minute {
		return e, ErrTooOld
	}
	return e, nil
}

// Remove removes the entry of session sid and the autostart entry (the
// restart could not be run after all).
func (p Place) Remove(sid string) error {
	if file, err := p.File(sid); err == nil {
		if err := os.Remove(file); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return p.removeAutostart()
}

// Command is the restart to run: EnvCommand's program when set, the
// system's otherwise (safe: in safe mode with networking, see
// SafeModeAvailable).
func Command(safe bool) []*exec.Cmd {
	if c := os.Getenv(EnvCommand); c != "" {
		return []*exec.Cmd{exec.Command(c)}
	}
	return systemRestart(safe)
}

// Restart runs cmds in order, stopping at the first that fails.
func Restart(cmds []*exec.Cmd) error {
	for _, c := range cmds {
		if out, err := c.CombinedOutput(); err != nil {
			return fmt.Errorf("%s: %v: %s", filepath.Base(c.Path), err, strings.TrimSpace(string(out)))
		}
	}
	return nil
}

// SafeModeAvailable says whether a restart in safe mode with networking is
// possible: only where the system has one (Windows) and the agent runs as a
// service, which Windows starts in safe mode with networking too; a program
// started at logon would leave the customer's computer in safe mode with
// nobody connected. nil when it is; ErrSafeModeUnavailable otherwise.
func SafeModeAvailable(service bool) error { return safeMode(safeModeSystem, service) }

func safeMode(system, service bool) error {
	if !system || !service {
		return ErrSafeModeUnavailable
	}
	return nil
}
