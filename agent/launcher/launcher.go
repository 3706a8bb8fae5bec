// Package launcher is the "Get help" launcher (Rescue's Calling Card): an
// icon the customer agreed to in a session, on the desktop and in the
// applications menu (XDG desktop entries on Linux, shortcuts on Windows),
// that runs a copy of this program with RequestFlag. The program then asks
// the server for help on the launcher's channel, naming the computer by
// the launcher's ID, and joins the request as if it were an invitation.
// RemoveFlag, offered in the icon's own menu, removes everything.
package launcher

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/lifeline-support/lifeline/agent/unattended"
	"github.com/lifeline-support/lifeline/shared/i18n"
)

// The command line the launcher runs.
const (
	// RequestFlag asks for help on the launcher's channel.
	RequestFlag = "--launcher-request"
	// RemoveFlag removes the launcher from this computer.
	RemoveFlag = "--launcher-remove"
)

// ErrNotInstalled means no launcher is installed here.
var ErrNotInstalled = errors.New("no Get help launcher is installed on this computer")

// Settings are what the launcher's program needs to ask for help.
type Settings struct {
	Server      string `json:"server"`
	ID          string `json:"id"`
	Channel     string `json:"channel"`
	ChannelName string `json:"channelName,omitempty"`
	Org         string `json:"org,omitempty"`
}

// Place is where the launcher lives: Config is the user's configuration
// directory (empty: os.UserConfigDir), under which lifeline/launcher holds
// the settings and a copy of the program; Menu the folder of the
// applications menu's entries and Desktop the desktop's folder (empty: the
// system's, see the per-OS files).
type Place struct {
	Config, Menu, Desktop string
}

// Dir is the folder of the settings and the program.
func (p Place) Dir() (string, error) {
	b := p.Config
	if b == "" {
		var err error
		if b, err = os.UserConfigDir(); err != nil {
			return "", err
		}
	}
	return filepath.Join(b, "lifeline", "launcher"), nil
}

func (p Place) file(name string) (string, error) {
	d, err := p.Dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, name), nil
}

// Program is where Install copies the program.
func (p Place) Program() (string, error) { return p.file(programName) }

// Settings reads what Install saved; ErrNotInstalled if nothing is.
func (p Place) Settings() (Settings, error) {
	var s Settings
	f, err := p.file("settings.json")
	if err != nil {
		return s, err
	}
	if found, err := unattended.ReadJSON(f, &s); err != nil {
		return s, err
	} else if !found {
		return s, ErrNotInstalled
	}
	return s, nil
}

// Install installs the launcher for s, with a copy of program exe, in
// lang: a launcher installed before (another channel, another
// organisation) is replaced.
func (p Place) Install(s Settings, exe string, lang i18n.Lang) error {
	if _, err := p.Settings(); err == nil {
		if err := p.Remove(); err != nil {
			return fmt.Errorf("the launcher installed before: %w", err)
		}
	}
	d, err := p.Dir()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(d, 0o700); err != nil {
		return err
	}
	b, _ := json.MarshalIndent(s, "", "  ")
	if err := os.WriteFile(filepath.Join(d, "settings.json"), b, 0o600); err != nil {
		return err
	}
	prog, err := p.Program()
	if err != nil {
		return err
	}
	if err := unattended.CopyProgram(exe, prog); err != nil {
		return fmt.Errorf("copy the program: %w", err)
	}
	if err := p.installIcons(prog, s, lang); err != nil {
		return errors.Join(err, p.Remove())
	}
	return nil
}

// Remove removes the launcher: its icons, the program and the settings.
// Nothing installed is not an error.
func (p Place) Remove() error {
	d, err := p.Dir()
	if err != nil {
		return err
	}
	return errors.Join(p.removeIcons(), os.RemoveAll(d))
}

// Name is the icon's name: "Get help from <organisation>".
func Name(lang i18n.Lang, org string) string {
	if strings.TrimSpace(org) == "" {
		org = "Lifeline"
	}
	return i18n.T(lang, "agent.launcher.name", org)
}

func removeFile(f string) error {
	if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
