package launcher

import (
	"os"
	"path/filepath"

	"github.com/lifeline-support/lifeline/agent/unattended"
	"github.com/lifeline-support/lifeline/shared/i18n"
)

// programName is the installed program's file name.
const programName = "lifeline-gethelp.exe"

// shortcuts are the launcher's shortcuts: the icon on the desktop and in
// the Start menu, and the Start menu's "Remove" (shortcuts have no menu of
// their own), as file path → shortcut.
func (p Place) shortcuts(prog string, s Settings, lang i18n.Lang) (map[string]unattended.Shortcut, error) {
	menu, desk := p.Menu, p.Desktop
	if menu == "" || desk == "" {
		appData, err := os.UserConfigDir() // %AppData%
		if err != nil {
			return nil, err
		}
		home, err := os.UserHomeDir()
		if err != nil {
			return nil, err
		}
		if menu == "" {
			menu = filepath.Join(appData, "Microsoft", "Windows", "Start Menu", "Programs")
		}
		if desk == "" {
			desk = filepath.Join(home, "Desktop")
		}
	}
	name := Name(lang, s.Org)
	help := unattended.Shortcut{Target: prog, Args: RequestFlag, Description: i18n.T(lang, "agent.launcher.comment", name)}
	remove := unattended.Shortcut{Target: prog, Args: RemoveFlag, Description: i18n.T(lang, "agent.launcher.remove")}
	return map[string]unattended.Shortcut{
		filepath.Join(desk, name+".lnk"): help,
		filepath.Join(menu, name+".lnk"): help,
		filepath.Join(menu, i18n.T(lang, "agent.launcher.removeName", orLifeline(s.Org))+".lnk"): remove,
	}, nil
}

func orLifeline(org string) string {
	if org == "" {
		return "Lifeline"
	}
	return org
}

func (p Place) installIcons(prog string, s Settings, lang i18n.Lang) error {
	links, err := p.shortcuts(prog, s, lang)
	if err != nil {
		return err
	}
	// The names, to remove exactly these (the language may change).
	var names []string
	for f, l := range links {
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(f, l.Bytes(), 0o644); err != nil {
			return err
		}
		names = append(names, f)
	}
	return p.keepNames(names)
}

func (p Place) removeIcons() error {
	names, err := p.names()
	if err != nil {
		return err
	}
	var errs []error
	for _, f := range names {
		errs = append(errs, removeFile(f))
	}
	return joinErrs(errs)
}
