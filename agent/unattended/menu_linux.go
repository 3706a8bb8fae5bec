package unattended

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

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
		fmt.Fprintf(&b, "%s=%s\n", k.field, desktopString(i18n.T(i18n.EN, k.key)))
		for _, l := range i18n.Langs {
			if l != i18n.EN {
				fmt.Fprintf(&b, "%s[%s]=%s\n", k.field, l, desktopString(i18n.T(l, k.key)))
			}
		}
	}
	fmt.Fprintf(&b, "Exec=%s\nIcon=preferences-desktop-remote-desktop\nTerminal=false\nCategories=Settings;Security;\n",
		desktopString(desktopExec(prog, PageFlag)))
	return b.String()
}

// DesktopLine is a desktop entry's Exec value that runs args: each
// argument quoted as the specification says, then escaped as a string.
func DesktopLine(args ...string) string { return desktopString(desktopExec(args...)) }

// DesktopString escapes s as a desktop entry's string value (Name,
// Comment).
func DesktopString(s string) string { return desktopString(s) }

// desktopString escapes s as a desktop entry's string value.
func desktopString(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`, "\t", `\t`, "\r", `\r`).Replace(s)
}

// desktopExec is an Exec command line (before desktopString): each
// argument with a reserved character quoted, '%' doubled.
func desktopExec(args ...string) string {
	q := make([]string, len(args))
	for i, a := range args {
		a = strings.ReplaceAll(a, "%", "%%")
		if a == "" || strings.ContainsAny(a, " \t\n\"'\\><~|&;$*?#()`=") {
			a = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "`", "\\`", `$`, `\$`).Replace(a) + `"`
		}
		q[i] = a
	}
	return strings.Join(q, " ")
}

// DesktopExec reads the Exec line of the desktop entry at path and splits
// it into the command the desktop runs, as the desktop entry
// specification says (string unescaping, then quoting; field codes
// dropped).
func DesktopExec(path string) ([]string, error) {
	return groupExec(path, "[Desktop Entry]")
}

// DesktopActionExec is DesktopExec for the entry's action named action
// (its [Desktop Action action] group: what the icon's menu offers).
func DesktopActionExec(path, action string) ([]string, error) {
	return groupExec(path, "[Desktop Action "+action+"]")
}

// groupExec reads and splits the Exec line of group of the desktop entry
// at path.
func groupExec(path, group string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	in := ""
	for line := range strings.SplitSeq(string(b), "\n") {
		if strings.HasPrefix(line, "[") {
			in = strings.TrimSpace(line)
			continue
		}
		v, ok := strings.CutPrefix(line, "Exec=")
		if !ok || in != group {
			continue
		}
		v = strings.NewReplacer(`\\`, `\`, `\n`, "\n", `\t`, "\t", `\r`, "\r", `\s`, " ").Replace(v)
		var args []string
		var cur strings.Builder
		in, has := false, false
		for i := 0; i < len(v); i++ {
			c := v[i]
			switch {
			case in && c == '\\' && i+1 < len(v):
				i++
				cur.WriteByte(v[i])
			case c == '"':
				in, has = !in, true
			case !in && (c == ' ' || c == '\t'):
				if has || cur.Len() > 0 {
					args = append(args, cur.String())
				}
				cur.Reset()
				has = false
			case c == '%' && i+1 < len(v):
				i++
				if v[i] == '%' {
					cur.WriteByte('%')
				}
			default:
				cur.WriteByte(c)
			}
		}
		if in {
			return nil, fmt.Errorf("desktop entry %s: unterminated quote", path)
		}
		if has || cur.Len() > 0 {
			args = append(args, cur.String())
		}
		if len(args) == 0 {
			break
		}
		return args, nil
	}
	return nil, fmt.Errorf("desktop entry %s: no Exec", path)
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
