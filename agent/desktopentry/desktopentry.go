// Package desktopentry writes and reads the values of freedesktop.org
// desktop entries (the menu's and the autostart's .desktop files) as the
// Desktop Entry specification says: string escapes, and the Exec key's
// quoting and field codes.
package desktopentry

import (
	"fmt"
	"os"
	"strings"
)

// String escapes s as a desktop entry's string value: a newline, tab or
// carriage return cannot end the line it is on.
func String(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`, "\t", `\t`, "\r", `\r`).Replace(s)
}

// Exec is an Exec command line of args (before String): each argument with
// a reserved character quoted, '%' doubled so no field code is read.
func Exec(args ...string) string {
	q := make([]string, len(args))
	for i, a := range args {
		a = strings.ReplaceAll(a, "%", "%%")
		if a == "" || strings.ContainsAny(a, " \t\n\r\"'\\><~|&;$*?#()`=") {
			a = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "`", "\\`", `$`, `\$`).Replace(a) + `"`
		}
		q[i] = a
	}
	return strings.Join(q, " ")
}

// ExecLine is the whole Exec key of a desktop entry running args.
func ExecLine(args ...string) string {
	return "Exec=" + String(Exec(args...))
}

// ReadExec reads the Exec line of the desktop entry at path and splits it
// into the command the desktop runs, as the specification says (string
// unescaping, then quoting; field codes dropped).
func ReadExec(path string) ([]string, error) {
	return readGroupExec(path, "[Desktop Entry]")
}

// ReadActionExec is ReadExec for the entry's action named action (its
// [Desktop Action action] group: what the icon's own menu offers).
func ReadActionExec(path, action string) ([]string, error) {
	return readGroupExec(path, "[Desktop Action "+action+"]")
}

// readGroupExec reads and splits the Exec line of group in the desktop
// entry at path.
func readGroupExec(path, group string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	at := ""
	for line := range strings.SplitSeq(string(b), "\n") {
		if strings.HasPrefix(line, "[") {
			at = strings.TrimSpace(line)
			continue
		}
		v, ok := strings.CutPrefix(line, "Exec=")
		if !ok || at != group {
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
	return nil, fmt.Errorf("desktop entry %s: no Exec in %s", path, group)
}
