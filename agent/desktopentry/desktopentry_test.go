package desktopentry

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Whatever an argument holds (spaces, quotes, '%', a newline), the entry
// keeps one Exec line and the specification's reading gives it back.
func TestExecRoundTrip(t *testing.T) {
	for _, args := range [][]string{
		{"/usr/bin/agent"},
		{`/home/zoé/my "tools"/a\b $HOME`, "--flag", ""},
		{"/opt/100%sure/agent", "%u"},
		{"/tmp/two\nExec=/bin/evil", "tab\there", "cr\rhere"},
	} {
		f := filepath.Join(t.TempDir(), "x.desktop")
		text := "[Desktop Entry]\n" + ExecLine(args...) + "\nTerminal=false\n"
		if err := os.WriteFile(f, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(text, "\nExec="); n != 1 {
			t.Fatalf("%q: %d Exec keys in\n%s", args, n, text)
		}
		got, err := ReadExec(f)
		if err != nil || !slices.Equal(got, args) {
			t.Errorf("%q read back as %q, %v", args, got, err)
		}
	}
}
