package launcher

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lifeline-support/lifeline/agent/desktopentry"
	"github.com/lifeline-support/lifeline/shared/i18n"
)

// The launcher's desktop entry, in the menu and on the desktop, runs the
// installed program with RequestFlag, and its "Remove this icon" action
// with RemoveFlag, whatever the folder's name holds; installing again
// replaces it, and Remove leaves nothing.
func TestDesktopEntriesRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), `zoé "x" $HOME`)
	place := Place{Config: filepath.Join(dir, "config"), Menu: filepath.Join(dir, "applications"), Desktop: filepath.Join(dir, "Bureau")}
	exe := filepath.Join(dir, "agent")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	s := Settings{Server: "https://help.example.com", ID: "aaaaaaaaaaaaaaaaaaaaaaaaaa", Channel: "desk", Org: "Acme IT"}
	for range 2 {
		if err := place.Install(s, exe, i18n.FR); err != nil {
			t.Fatal(err)
		}
	}
	prog, _ := place.Program()
	menu, _ := place.MenuEntry()
	icon, _ := place.DesktopEntry()
	for _, f := range []string{menu, icon} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "Name=Obtenir de l'aide de Acme IT\n") {
			t.Errorf("%s:\n%s", f, b)
		}
		run, err := desktopentry.ReadExec(f)
		if err != nil || len(run) != 2 || run[0] != prog || run[1] != RequestFlag {
			t.Errorf("%s runs %q, %v", f, run, err)
		}
		rm, err := desktopentry.ReadActionExec(f, RemoveAction)
		if err != nil || len(rm) != 2 || rm[0] != prog || rm[1] != RemoveFlag {
			t.Errorf("%s's remove action runs %q, %v", f, rm, err)
		}
	}
	if got, err := place.Settings(); err != nil || got != s {
		t.Fatalf("settings %+v, %v", got, err)
	}
	if err := place.Remove(); err != nil {
		t.Fatal(err)
	}
	d, _ := place.Dir()
	for _, f := range []string{menu, icon, d} {
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Errorf("%s left (%v)", f, err)
		}
	}
	if _, err := place.Settings(); err != ErrNotInstalled { //nolint:errorlint // returned bare
		t.Errorf("after Remove: %v", err)
	}
}
