package supervise

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// What a worker journals and then undoes itself is not left over; what it
// journals before dying is, and a torn last line is ignored.
func TestJournalLeftovers(t *testing.T) {
	var b bytes.Buffer
	j := NewJournal(&b)
	j.Key(37, true)
	j.Key(50, true)
	j.Key(50, false)
	j.Button(1, true)
	j.Button(3, true)
	j.Button(3, false)
	j.Keymap(255, 0x010020ac)
	j.Keymap(254, 0x01000444)
	j.Keymap(254, 0)
	j.Partial("/d/.a b\n.lifeline-part", false)
	j.Partial("/d/.c.lifeline-part", false)
	j.Partial("/d/.c.lifeline-part", true)
	b.WriteString("k+ 6") // torn: no newline, still a whole record for Scanner
	b.WriteString("\nk+ x\nzz 1\n")

	l := ReadJournal(&b)
	if len(l.Keys) != 2 || !l.Keys[37] || !l.Keys[6] {
		t.Errorf("keys %v, want 37 and 6", l.Keys)
	}
	if len(l.Buttons) != 1 || !l.Buttons[1] {
		t.Errorf("buttons %v, want 1", l.Buttons)
	}
	if len(l.Keymap) != 1 || l.Keymap[255] != 0x010020ac {
		t.Errorf("keymap %v, want 255→€", l.Keymap)
	}
	if len(l.Partials) != 1 || !l.Partials["/d/.a b\n.lifeline-part"] {
		t.Errorf("partials %v", l.Partials)
	}
	if l.Ended || l.Empty() {
		t.Errorf("ended %v, empty %v", l.Ended, l.Empty())
	}

	var nilJournal *Journal
	nilJournal.Key(1, true) // not supervised: records nothing, does not crash
	nilJournal.End()
}

// Undo removes the partial files the journal names, and nothing else even if
// a journal names it.
func TestUndoRemovesOnlyPartialFiles(t *testing.T) {
	dir := t.TempDir()
	part := filepath.Join(dir, ".x.lifeline-part")
	other := filepath.Join(dir, "x")
	for _, p := range []string{part, other} {
		if err := os.WriteFile(p, []byte("data"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	released := false
	l := &Leftovers{Partials: map[string]bool{part: true, other: true, filepath.Join(dir, ".gone.lifeline-part"): true}}
	if err := Undo(l, func(*Leftovers) error { released = true; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(part); !os.IsNotExist(err) {
		t.Errorf("partial file still there: %v", err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("a file that is not a partial file was touched: %v", err)
	}
	if released {
		t.Error("release called with no input held")
	}
}
