package fileman

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// On Windows: the listing hides what has the hidden attribute, uses drive
// letters and backslashes; names Windows will not take are refused; rename,
// copy, move and delete (to the Recycle Bin) work. Run under Wine by
// e2e/wine's TestWindowsUnitTestsUnderWine.
func TestWindowsFileManager(t *testing.T) {
	h := newHarness(t)
	write(t, filepath.Join(h.home, "notes.txt"), "notes")
	hidden := filepath.Join(h.home, "hidden.txt")
	write(t, hidden, "x")
	p, _ := syscall.UTF16PtrFromString(hidden)
	if err := syscall.SetFileAttributes(p, syscall.FILE_ATTRIBUTE_HIDDEN); err != nil {
		t.Fatal(err)
	}
	docs := filepath.Join(h.home, "Documents")
	if err := os.Mkdir(docs, 0o755); err != nil {
		t.Fatal(err)
	}
	l := h.ok(t, map[string]any{"op": "home"}).Listing
	if got := strings.Join(names(l), ","); got != "Documents,notes.txt" {
		t.Errorf("home lists %s", got)
	}
	if l.Sep != `\` || !strings.HasSuffix(l.Crumbs[0].Path, `:\`) {
		t.Errorf("separator %q, first crumb %+v", l.Sep, l.Crumbs[0])
	}
	l = h.ok(t, map[string]any{"op": "list", "path": h.home, "hidden": true}).Listing
	if got := strings.Join(names(l), ","); got != "Documents,hidden.txt,notes.txt" || !l.List[1].Hidden {
		t.Errorf("with hidden files: %s %+v", got, l.List)
	}
	notes := filepath.Join(h.home, "notes.txt")
	for _, bad := range []string{"a:b", "what?", "CON", "con.txt", "com1", "trailing.", "pipe|d", `back\slash`} {
		h.wantCode(t, map[string]any{"op": "rename", "path": notes, "name": bad}, "bad_name")
	}
	h.wantCode(t, map[string]any{"op": "delete", "path": filepath.VolumeName(h.home) + `\`}, "protected")
	h.wantCode(t, map[string]any{"op": "list", "path": `relative\path`}, "bad_path")

	renamed := h.ok(t, map[string]any{"op": "rename", "path": notes, "name": "notes 2026 (copie d'été).txt"}).Path
	h.ok(t, map[string]any{"op": "copy", "path": renamed, "to": docs})
	if b, err := os.ReadFile(filepath.Join(docs, "notes 2026 (copie d'été).txt")); err != nil || string(b) != "notes" {
		t.Errorf("copy: %q, %v", b, err)
	}
	h.wantCode(t, map[string]any{"op": "copy", "path": renamed, "to": docs}, "exists")
	h.ok(t, map[string]any{"op": "delete", "path": renamed})
	if _, err := os.Lstat(renamed); err == nil {
		t.Error("the deleted file is still there")
	}
	if trash := os.Getenv("LIFELINE_TEST_TRASH"); trash != "" {
		if _, err := os.Stat(filepath.Join(trash, "files", "notes 2026 (copie d'été).txt")); err != nil {
			t.Errorf("not in the Recycle Bin (Wine keeps it in the Unix trash %s): %v", trash, err)
		}
	}
}

// A file a program holds without sharing is said to be in use.
func TestWindowsFileInUse(t *testing.T) {
	h := newHarness(t)
	p := filepath.Join(h.home, "open.docx")
	write(t, p, "held")
	name, _ := syscall.UTF16PtrFromString(p)
	fd, err := syscall.CreateFile(name, syscall.GENERIC_READ, 0, nil, syscall.OPEN_EXISTING, syscall.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.CloseHandle(fd)
	h.wantCode(t, map[string]any{"op": "rename", "path": p, "name": "moved.docx"}, "in_use")
	if _, err := os.Stat(p); err != nil {
		t.Error(err)
	}
}

// The rename itself refuses to replace (MoveFileEx without
// MOVEFILE_REPLACE_EXISTING).
func TestWindowsRenameNoReplace(t *testing.T) {
	h := newHarness(t)
	a, b := filepath.Join(h.home, "a"), filepath.Join(h.home, "b")
	write(t, a, "a")
	write(t, b, "b")
	if err := renameNoReplace(a, b); classify(err) != ErrExists {
		t.Fatalf("renameNoReplace onto a file: %v", err)
	}
	if got, _ := os.ReadFile(b); string(got) != "b" {
		t.Fatalf("b holds %q", got)
	}
}
