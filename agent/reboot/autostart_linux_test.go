package reboot

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/agent/desktopentry"
)

// The XDG autostart entry runs the program with --reconnect and the entry's
// file, whatever the paths hold, as the desktop parses its Exec line; it is
// gone once used.
func TestDesktopEntryRoundTrip(t *testing.T) {
	for _, prog := range []string{"/usr/bin/lifeline-agent", `/home/a b/it's "odd" $HOME \x/agent`,
		"/opt/100%sure/agent", "/tmp/two\nExec=/bin/evil/agent"} {
		p := Place{Config: tempDir(t)}
		file, err := p.Leave(entry("sid1", time.Now()), prog)
		if err != nil {
			t.Fatal(err)
		}
		path, _ := p.Autostart()
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("autostart mode %v", fi.Mode().Perm())
		}
		b, _ := os.ReadFile(path)
		if n := strings.Count(string(b), "\nExec="); n != 1 {
			t.Fatalf("%d Exec lines in\n%s", n, b)
		}
		args, err := desktopentry.ReadExec(path) // as the specification reads it
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{prog, "--reconnect", file}; !slices.Equal(args, want) {
			t.Fatalf("Exec = %q, want %q", args, want)
		}
		if _, err := p.Take(file, time.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Fatalf("autostart entry left after use: %v", err)
		}
	}
}
