package launcher

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/lifeline-support/lifeline/agent/desktopentry"
	"github.com/lifeline-support/lifeline/agent/unattended"
	"github.com/lifeline-support/lifeline/shared/i18n"
)

// programName is the installed program's file name.
const programName = "lifeline-gethelp"

// EntryName is the file name of the launcher's desktop entry, in the
// applications menu and on the desktop.
const EntryName = "lifeline-gethelp.desktop"

// RemoveAction names the entry's action that removes the launcher.
const RemoveAction = "remove"

// MenuEntry is the path of the menu's desktop entry.
func (p Place) MenuEntry() (string, error) {
	dir := p.Menu
	if dir == "" {
		var err error
		if dir, err = unattended.ApplicationsDir(); err != nil {
			return "", err
		}
	}
	return filepath.Join(dir, EntryName), nil
}

// DesktopEntry is the path of the icon on the desktop.
func (p Place) DesktopEntry() (string, error) {
	dir := p.Desktop
	if dir == "" {
		var err error
		if dir, err = desktopDir(); err != nil {
			return "", err
		}
	}
	return filepath.Join(dir, EntryName), nil
}

// desktopDir is the user's desktop folder: XDG_DESKTOP_DIR from
// user-dirs.dirs, else ~/Desktop.
func desktopDir() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	conf := os.Getenv("XDG_CONFIG_HOME")
	if conf == "" {
		conf = filepath.Join(home, ".config")
	}
	if f, err := os.Open(filepath.Join(conf, "user-dirs.dirs")); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "XDG_DESKTOP_DIR=")
			if !ok {
				continue
			}
			v = strings.Trim(v, `"`)
			v = strings.Replace(v, "$HOME", home, 1)
			if filepath.IsAbs(v) {
				return v, nil
			}
		}
	}
	return filepath.Join(home, "Desktop"), nil
}

// entry is the launcher's desktop entry: it runs prog with RequestFlag,
// and its remove action prog with RemoveFlag; named in lang, and in
// English for the other languages.
func entry(prog string, s Settings, lang i18n.Lang) string {
	var b strings.Builder
	b.WriteString("[Desktop Entry]\nType=Application\nVersion=1.0\n")
	fmt.Fprintf(&b, "Name=%s\n", desktopentry.String(Name(lang, s.Org)))
	fmt.Fprintf(&b, "Comment=%s\n", desktopentry.String(i18n.T(lang, "agent.launcher.comment", Name(lang, s.Org))))
	fmt.Fprintf(&b, "Exec=%s\n", desktopentry.String(desktopentry.Exec(prog, RequestFlag)))
	b.WriteString("Icon=help-browser\nTerminal=false\nCategories=Network;RemoteAccess;\nActions=" + RemoveAction + ";\n\n")
	fmt.Fprintf(&b, "[Desktop Action %s]\nName=%s\nExec=%s\n", RemoveAction,
		desktopentry.String(i18n.T(lang, "agent.launcher.remove")), desktopentry.String(desktopentry.Exec(prog, RemoveFlag)))
	return b.String()
}

func (p Place) installIcons(prog string, s Settings, lang i18n.Lang) error {
	text := []byte(entry(prog, s, lang))
	for _, at := range []func() (string, error){p.MenuEntry, p.DesktopEntry} {
		f, err := at()
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			return err
		}
		// Executable: desktops run only the launchers on the desktop
		// that are (GNOME also asks to trust it, see below).
		if err := os.WriteFile(f, text, 0o755); err != nil {
			return err
		}
	}
	if f, err := p.DesktopEntry(); err == nil {
		// GNOME's desktop icons run a launcher once it is trusted; where
		// gio is missing the customer allows it with a right-click.
		_ = exec.Command("gio", "set", f, "metadata::trusted", "true").Run()
	}
	return nil
}

func (p Place) removeIcons() error {
	var errs []error
	for _, at := range []func() (string, error){p.MenuEntry, p.DesktopEntry} {
		f, err := at()
		if err == nil {
			err = removeFile(f)
		}
		errs = append(errs, err)
	}
	return joinErrs(errs)
}
