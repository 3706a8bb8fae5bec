package unattended

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/lifeline-support/lifeline/agent/desktopentry"
	"github.com/lifeline-support/lifeline/shared/i18n"
)

// MenuEntryName is the file name of the desktop entry that opens the
// owner's page (PageFlag).
const MenuEntryName = "lifeline-unattended.desktop"

// MenuEntry is the path of the desktop entry: in Place.Menu, else in
// $XDG_DATA_HOME/applications (~/.local/share/applications), where the
// desktop's menu finds the user's own entries.
func (p Place) MenuEntry() (string, error) {
	dir := p.Menu
	if dir == "" {
		var err error
		if dir, err = ApplicationsDir(); err != nil {
			return "", err
		}
	}
	return filepath.Join(dir, MenuEntryName), nil
}

// ApplicationsDir is the folder of the user's own desktop entries,
// $XDG_DATA_HOME/applications (~/.local/share/applications), where the
// desktop's menu finds them.
func ApplicationsDir() (string, error) {
	data := os.Getenv("XDG_DATA_HOME")
	if data == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		data = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(data, "applications"), nil
}

// desktopEntry is the menu entry that runs prog with PageFlag, named in
// every language of the catalog.
func desktopEntry(prog string) string {
	var b strings.Builder
	b.WriteString("[Desktop Entry]\nType=Application\nVersion=1.0\n")
	for _, k := range []struct{ field, key string }{{"Name", "agent.unattended.menu.name"}, {"Comment", "agent.unattended.menu.comment"}} {
		fmt.Fprintf(&b, "%s=%s\n", k.field, desktopentry.String(i18n.T(i18n.EN, k.key)))
		for _, l := range i18n.Langs {
			if l != i18n.EN {
				fmt.Fprintf(&b, "%s[%s]=%s\n", k.field, l, desktopentry.String(i18n.T(l, k.key)))
			}
		}
	}
	fmt.Fprintf(&b, "Exec=%s\nIcon=preferences-desktop-remote-desktop\nTerminal=false\nCategories=Settings;Security;\n",
		desktopentry.String(desktopentry.Exec(prog, PageFlag)))
	return b.String()
}

func (p Place) installMenu(prog string) error {
	f, err := p.MenuEntry()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
		return err
	}
	return os.WriteFile(f, []byte(desktopEntry(prog)), 0o644)
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
