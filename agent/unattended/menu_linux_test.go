package unattended

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/lifeline-support/lifeline/agent/desktopentry"
)

// The menu entry's Exec line reads back as the command it was written
// from, whatever the program's path holds.
func TestDesktopExecRoundTrip(t *testing.T) {
	for _, prog := range []string{"/opt/lifeline-agent", `/home/zoé/my "tools"/a\b $HOME 100%/agent`} {
		f := filepath.Join(t.TempDir(), "x.desktop")
		if err := os.WriteFile(f, []byte(desktopEntry(prog)), 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := desktopentry.ReadExec(f)
		if err != nil || len(got) != 2 || got[0] != prog || got[1] != PageFlag {
			t.Errorf("%q: Exec read back as %q, %v", prog, got, err)
		}
	}
}
