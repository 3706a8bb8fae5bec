package unattended

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/lifeline-support/lifeline/shared/i18n"
)

// MenuEntry is the path of the Start-menu shortcut that opens the owner's
// page (PageFlag): in Place.Menu, else in the user's Start-menu programs
// (%APPDATA%\Microsoft\Windows\Start Menu\Programs).
func (p Place) MenuEntry() (string, error) {
	dir := p.Menu
	if dir == "" {
		appData, err := os.UserConfigDir() // %AppData%
		if err != nil {
			return "", err
		}
		dir = filepath.Join(appData, "Microsoft", "Windows", "Start Menu", "Programs")
	}
	return filepath.Join(dir, menuShortcutName()), nil
}

// menuShortcutName is the shortcut's file name, the name the Start menu
// shows (in the system's language).
func menuShortcutName() string {
	return i18n.T(i18n.FromEnv(), "agent.unattended.menu.name") + ".lnk"
}

// menuShortcut is the Start-menu shortcut that runs prog with PageFlag.
func menuShortcut(prog string) Shortcut {
	return Shortcut{Target: prog, Args: PageFlag, Description: i18n.T(i18n.FromEnv(), "agent.unattended.menu.comment")}
}

func (p Place) installMenu(prog string) error {
	f, err := p.MenuEntry()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
		return err
	}
	return os.WriteFile(f, menuShortcut(prog).Bytes(), 0o644)
}

func (p Place) removeMenu() error {
	f, err := p.MenuEntry()
	if err != nil {
		return err
	}
	if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
