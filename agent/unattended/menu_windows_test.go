package unattended

import (
	"os"
	"path/filepath"
	"testing"
)

// The Start-menu shortcut runs the installed program with PageFlag, and
// Uninstall removes it.
func TestStartMenuShortcut(t *testing.T) {
	// Not t.TempDir: under Wine (where these tests run, see
	// e2e/wine) its cleanup fails with "Invalid function".
	dir, err := os.MkdirTemp("", "startmenu")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	place := Place{Config: filepath.Join(dir, "config"), Menu: filepath.Join(dir, "Start Menu", "Programs")}
	prog := filepath.Join(dir, "agent.exe")
	if err := place.installMenu(prog); err != nil {
		t.Fatal(err)
	}
	f, _ := place.MenuEntry()
	if filepath.Ext(f) != ".lnk" {
		t.Errorf("shortcut %s", f)
	}
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	s, err := readShortcut(b)
	if err != nil || s.Target != prog || s.Args != PageFlag || s.Description == "" {
		t.Fatalf("shortcut %+v, %v", s, err)
	}
	if err := place.removeMenu(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(f); !os.IsNotExist(err) {
		t.Errorf("shortcut left: %v", err)
	}
}
