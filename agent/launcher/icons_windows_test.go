package launcher

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/lifeline-support/lifeline/shared/i18n"
)

// The launcher's shortcuts, on the desktop and in the Start menu, run the
// installed program with RequestFlag, and the Start menu's "Remove" with
// RemoveFlag (written with unattended.Shortcut, as the unattended menu
// entry is); Remove leaves none of them.
func TestShortcuts(t *testing.T) {
	// Not t.TempDir: under Wine its cleanup fails (see agent/unattended).
	dir, err := os.MkdirTemp("", "launcher")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	place := Place{Config: filepath.Join(dir, "config"), Menu: filepath.Join(dir, "Start Menu"), Desktop: filepath.Join(dir, "Desktop")}
	exe := filepath.Join(dir, "agent.exe")
	if err := os.WriteFile(exe, []byte("MZ"), 0o755); err != nil {
		t.Fatal(err)
	}
	s := Settings{Server: "https://help.example.com", ID: "aaaaaaaaaaaaaaaaaaaaaaaaaa", Channel: "desk", Org: "Acme IT"}
	if err := place.Install(s, exe, i18n.EN); err != nil {
		t.Fatal(err)
	}
	prog, _ := place.Program()
	links, err := place.shortcuts(prog, s, i18n.EN)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		filepath.Join(dir, "Desktop", "Get help from Acme IT.lnk"):                      RequestFlag,
		filepath.Join(dir, "Start Menu", "Get help from Acme IT.lnk"):                   RequestFlag,
		filepath.Join(dir, "Start Menu", "Remove the “Get help from Acme IT” icon.lnk"): RemoveFlag,
	}
	for f, args := range want {
		l, ok := links[f]
		if !ok || l.Target != prog || l.Args != args {
			t.Errorf("%s: %+v", f, l)
		}
		b, err := os.ReadFile(f)
		if err != nil || string(b) != string(l.Bytes()) {
			t.Errorf("%s not written as the shortcut: %v", f, err)
		}
	}
	if err := place.Remove(); err != nil {
		t.Fatal(err)
	}
	for f := range want {
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Errorf("%s left (%v)", f, err)
		}
	}
}
