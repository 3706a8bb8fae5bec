//go:build linux

package fileman

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/lifeline-support/lifeline/agent/files"
	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// Without the customer's grant nothing is listed or changed, and the refusal
// is audited; once granted, the same request works.
func TestRefusedWithoutGrant(t *testing.T) {
	h := newHarness(t)
	h.m.SetGrants(protocol.Permissions{Terminal: true, SysInfo: true})
	h.wantCode(t, map[string]any{"op": "mkdir", "path": h.home, "name": "made"}, "not_granted")
	h.wantCode(t, map[string]any{"op": "home"}, "not_granted")
	if _, err := os.Stat(filepath.Join(h.home, "made")); err == nil {
		t.Fatal("a folder was made without the grant")
	}
	if a := h.lastAudit(); a.Event != protocol.AuditRefused || !strings.Contains(a.Detail, "without the customer's grant") {
		t.Errorf("last audit %+v, want the refusal", a)
	}
	h.m.SetGrants(protocol.Permissions{FileManager: true})
	h.ok(t, map[string]any{"op": "mkdir", "path": h.home, "name": "made"})
	if a := h.lastAudit(); a.Event != protocol.AuditFileChanged || !strings.Contains(a.Detail, "folder made: "+filepath.Join(h.home, "made")) {
		t.Errorf("last audit %+v, want the folder made", a)
	}
}

// The listing starts in the home folder with its breadcrumbs; folders come
// first; sorted by name (without case), size or date; filtered; hidden
// files only on request; paged by the agent.
func TestListSortsFiltersAndHides(t *testing.T) {
	h := newHarness(t)
	write(t, filepath.Join(h.home, "apple.txt"), "123")
	write(t, filepath.Join(h.home, "Banana.txt"), "1")
	write(t, filepath.Join(h.home, ".hidden"), "12345")
	if err := os.Mkdir(filepath.Join(h.home, "zfolder"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := h.ok(t, map[string]any{"op": "home"})
	l := r.Listing
	if l.Path != h.home || l.Crumbs[len(l.Crumbs)-1].Path != h.home || l.Crumbs[0].Path != "/" {
		t.Errorf("home listing at %q with crumbs %+v", l.Path, l.Crumbs)
	}
	if got := strings.Join(names(l), ","); got != "zfolder,apple.txt,Banana.txt" {
		t.Errorf("by name: %s", got)
	}
	l = h.ok(t, map[string]any{"op": "list", "path": h.home, "sort": "size", "desc": true, "hidden": true}).Listing
	if got := strings.Join(names(l), ","); got != "zfolder,.hidden,apple.txt,Banana.txt" {
		// Folders stay first whichever way the rest is sorted.
		t.Errorf("by size, descending, hidden shown: %s", got)
	}
	if !l.List[1].Hidden || l.List[1].Size != 5 {
		t.Errorf("hidden entry %+v", l.List[1])
	}
	l = h.ok(t, map[string]any{"op": "list", "path": h.home, "filter": "BAN"}).Listing
	if got := strings.Join(names(l), ","); got != "Banana.txt" {
		t.Errorf("filtered: %s", got)
	}

	big := filepath.Join(h.home, "big")
	if err := os.Mkdir(big, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range 1200 {
		write(t, filepath.Join(big, fmt.Sprintf("f%04d", i)), "")
	}
	l = h.ok(t, map[string]any{"op": "list", "path": big, "page": 2}).Listing
	if l.Total != 1200 || l.Pages != 3 || len(l.List) != 200 || l.List[0].Name != "f1000" {
		t.Errorf("page 3 of big: total %d, pages %d, %d entries from %q", l.Total, l.Pages, len(l.List), l.List[0].Name)
	}
}

// A folder of 100,000 entries is listed a page at a time, sorted by the
// agent (BenchmarkList100k measures how long it takes).
func TestListHundredThousand(t *testing.T) {
	if testing.Short() {
		t.Skip("makes 100,000 files")
	}
	h := newHarness(t)
	dir := makeFolder(t, h.home, 100_000)
	l := h.ok(t, map[string]any{"op": "list", "path": dir, "sort": "name", "desc": true}).Listing
	if l.Total != 100_000 || l.Pages != 200 || len(l.List) != protocol.MaxFMPage || l.List[0].Name != "f099999" {
		t.Errorf("total %d, pages %d, first page of %d from %q", l.Total, l.Pages, len(l.List), l.List[0].Name)
	}
	l = h.ok(t, map[string]any{"op": "list", "path": dir, "sort": "size", "page": 199}).Listing
	if len(l.List) != protocol.MaxFMPage || l.List[len(l.List)-1].Size != 99_999%7 && l.List[len(l.List)-1].Size != 6 {
		t.Errorf("last page by size ends with %+v", l.List[len(l.List)-1])
	}
}

// makeFolder makes dir/many with n files f000000… of sizes 0 to 6.
func makeFolder(t testing.TB, parent string, n int) string {
	t.Helper()
	dir := filepath.Join(parent, "many")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	data := []byte("xxxxxxx")
	for i := range n {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%06d", i)), data[:i%7], 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// Names with spaces, quotes, newlines, bytes that are not UTF-8 and of the
// longest length are listed (shown escaped), renamed, copied and deleted by
// the paths the listing gives; nothing goes through a shell.
func TestStrangeNames(t *testing.T) {
	h := newHarness(t)
	long := strings.Repeat("L", 255)
	for _, n := range []string{"with space", `quo"te's`, "new\nline", "\xff\xferaw", long, "$(touch pwned)"} {
		write(t, filepath.Join(h.home, n), n)
	}
	l := h.ok(t, map[string]any{"op": "home"}).Listing
	byName := map[string]protocol.FMEntry{}
	for _, e := range l.List {
		byName[e.Name] = e
	}
	for _, want := range []string{"with space", `quo"te's`, `new\nline`, `\xff\xferaw`, long, "$(touch pwned)"} {
		if _, ok := byName[want]; !ok {
			t.Errorf("%q not listed; listed %q", want, names(l))
		}
	}
	raw := byName[`\xff\xferaw`]
	if !raw.Raw || !strings.HasPrefix(raw.Path, protocol.FMRawPrefix) {
		t.Errorf("the non-UTF-8 name's entry: %+v", raw)
	}
	// Its path, as given, finds the file again.
	h.ok(t, map[string]any{"op": "rename", "path": raw.Path, "name": "was raw"})
	if b, err := os.ReadFile(filepath.Join(h.home, "was raw")); err != nil || string(b) != "\xff\xferaw" {
		t.Errorf("renamed raw file: %q, %v", b, err)
	}
	sub := h.ok(t, map[string]any{"op": "mkdir", "path": h.home, "name": "sub folder"}).Path
	h.ok(t, map[string]any{"op": "copy", "path": byName[`quo"te's`].Path, "to": sub})
	h.ok(t, map[string]any{"op": "copy", "path": byName[long].Path, "to": sub})
	h.ok(t, map[string]any{"op": "move", "path": byName["with space"].Path, "to": sub})
	h.ok(t, map[string]any{"op": "delete", "path": byName[`new\nline`].Path})
	h.ok(t, map[string]any{"op": "delete", "path": byName[long].Path})
	h.ok(t, map[string]any{"op": "rename", "path": byName["$(touch pwned)"].Path, "name": "it's \"fine\"\nreally"})
	got := h.ok(t, map[string]any{"op": "list", "path": sub}).Listing
	if s := strings.Join(names(got), ","); s != long+`,quo"te's,with space` {
		t.Errorf("sub folder holds %s", s)
	}
	for _, gone := range []string{"new\nline", long, "with space"} {
		if _, err := os.Lstat(filepath.Join(h.home, gone)); err == nil {
			t.Errorf("%q still in home", gone)
		}
	}
	if _, err := os.Stat(filepath.Join(h.home, "it's \"fine\"\nreally")); err != nil {
		t.Error(err)
	}
	if _, err := os.Stat("pwned"); err == nil {
		t.Error("a name ran as a command")
	}
	h.wantCode(t, map[string]any{"op": "mkdir", "path": h.home, "name": strings.Repeat("x", 256)}, "too_long")
	h.wantCode(t, map[string]any{"op": "rename", "path": sub, "name": strings.Repeat("x", 256)}, "too_long")
}

// The agent's rules for every path and name the console sends.
func TestPathRules(t *testing.T) {
	h := newHarness(t)
	write(t, filepath.Join(h.home, "a.txt"), "a")
	write(t, filepath.Join(h.home, "b.txt"), "b")
	dir := filepath.Join(h.home, "dir")
	if err := os.MkdirAll(filepath.Join(dir, "inner"), 0o755); err != nil {
		t.Fatal(err)
	}
	a := filepath.Join(h.home, "a.txt")
	for _, c := range []struct {
		name string
		req  map[string]any
		code string
	}{
		{"relative path", map[string]any{"op": "list", "path": "home/x"}, "bad_path"},
		{"dot dot relative", map[string]any{"op": "delete", "path": "../a.txt"}, "bad_path"},
		{"bad raw path", map[string]any{"op": "list", "path": "b64:!!"}, "bad_path"},
		{"NUL in path", map[string]any{"op": "delete", "path": a + "\x00.png"}, "bad_path"},
		{"not found", map[string]any{"op": "rename", "path": filepath.Join(h.home, "nope"), "name": "x"}, "not_found"},
		{"list a file", map[string]any{"op": "list", "path": a}, "not_dir"},
		{"name with slash", map[string]any{"op": "rename", "path": a, "name": "../../etc/x"}, "bad_name"},
		{"name dot dot", map[string]any{"op": "mkdir", "path": h.home, "name": ".."}, "bad_name"},
		{"name NUL", map[string]any{"op": "mkdir", "path": h.home, "name": "a\x00b"}, "bad_name"},
		{"rename onto a file", map[string]any{"op": "rename", "path": a, "name": "b.txt"}, "exists"},
		{"mkdir where a file is", map[string]any{"op": "mkdir", "path": h.home, "name": "a.txt"}, "exists"},
		{"copy into itself", map[string]any{"op": "copy", "path": dir, "to": filepath.Join(dir, "inner")}, "into_itself"},
		{"move into itself", map[string]any{"op": "move", "path": dir, "to": dir}, "into_itself"},
		{"copy onto a file", map[string]any{"op": "copy", "path": a, "to": h.home}, "exists"},
		{"copy to a file", map[string]any{"op": "copy", "path": a, "to": filepath.Join(h.home, "b.txt")}, "not_dir"},
		{"rename home", map[string]any{"op": "rename", "path": h.home, "name": "x"}, "protected"},
		{"delete home", map[string]any{"op": "delete", "path": h.home + "/."}, "protected"},
		{"move home", map[string]any{"op": "move", "path": h.home, "to": dir}, "protected"},
		{"delete the root", map[string]any{"op": "delete", "path": "/"}, "protected"},
		{"download a folder", map[string]any{"op": "download", "path": dir}, "not_file"},
		{"upload into a file", map[string]any{"op": "upload", "path": a, "transfer": "t1"}, "not_dir"},
		{"upload without transfer", map[string]any{"op": "upload", "path": dir}, "failed"},
		{"unknown op", map[string]any{"op": "chmod", "path": a}, "failed"},
		{"unknown field", map[string]any{"op": "list", "path": dir, "shell": "rm -rf /"}, "failed"},
	} {
		t.Run(c.name, func(t *testing.T) { h.wantCode(t, c.req, c.code) })
	}
	if b, err := os.ReadFile(filepath.Join(h.home, "b.txt")); err != nil || string(b) != "b" {
		t.Errorf("b.txt changed: %q, %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "inner", "dir")); err == nil {
		t.Error("a folder was copied into itself")
	}
}

// Copy and move of folders keep their content and links (links are not
// followed); every change is audited.
func TestCopyMoveFolders(t *testing.T) {
	h := newHarness(t)
	src := filepath.Join(h.home, "src")
	if err := os.MkdirAll(filepath.Join(src, "deep"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(src, "deep", "f"), "content")
	if err := os.Symlink("..", filepath.Join(src, "deep", "loop")); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(h.home, "dst")
	if err := os.Mkdir(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	r := h.ok(t, map[string]any{"op": "copy", "path": src, "to": dst})
	if r.Path != filepath.Join(dst, "src") {
		t.Errorf("copy made %q", r.Path)
	}
	if b, _ := os.ReadFile(filepath.Join(dst, "src", "deep", "f")); string(b) != "content" {
		t.Errorf("copied file holds %q", b)
	}
	if l, err := os.Readlink(filepath.Join(dst, "src", "deep", "loop")); err != nil || l != ".." {
		t.Errorf("copied link: %q, %v", l, err)
	}
	if a := h.lastAudit(); a.Event != protocol.AuditFileChanged || a.Detail != "copied: "+src+" → "+filepath.Join(dst, "src") {
		t.Errorf("audit %+v", a)
	}
	// The customer's log says it too, in their language.
	if n := h.lastNote(i18n.FR); n != "Le technicien a copié "+src+" vers "+filepath.Join(dst, "src") {
		t.Errorf("the customer's log says %q", n)
	}
	h.ok(t, map[string]any{"op": "rename", "path": filepath.Join(dst, "src"), "name": "copy"})
	h.ok(t, map[string]any{"op": "move", "path": src, "to": dst})
	if _, err := os.Stat(src); err == nil {
		t.Error("moved folder still at its old place")
	}
	if b, _ := os.ReadFile(filepath.Join(dst, "src", "deep", "f")); string(b) != "content" {
		t.Errorf("moved file holds %q", b)
	}
}

// Deleting moves to the XDG trash, with the info file the desktop's trash
// reads to restore it; a second file of the same name gets another name.
func TestDeleteGoesToXDGTrash(t *testing.T) {
	h := newHarness(t)
	trash := filepath.Join(os.Getenv("XDG_DATA_HOME"), "Trash")
	name := "my file é\xff"
	for i, content := range []string{"first", "second"} {
		p := filepath.Join(h.home, name)
		write(t, p, content)
		h.ok(t, map[string]any{"op": "delete", "path": protocol.FMWirePath(p)})
		in := name
		if i > 0 {
			in += ".1"
		}
		if b, err := os.ReadFile(filepath.Join(trash, "files", in)); err != nil || string(b) != content {
			t.Fatalf("trash holds %q, %v for %q", b, err, in)
		}
		info, err := os.ReadFile(filepath.Join(trash, "info", in+".trashinfo"))
		if err != nil {
			t.Fatal(err)
		}
		wantPath := "Path=" + escapePath(p) + "\n"
		if !strings.HasPrefix(string(info), "[Trash Info]\n") || !strings.Contains(string(info), wantPath) || !strings.Contains(string(info), "\nDeletionDate=") {
			t.Errorf("trash info:\n%s\nwant %s", info, wantPath)
		}
		if !strings.Contains(wantPath, "my%20file%20%C3%A9%FF") {
			t.Errorf("path not escaped: %s", wantPath)
		}
	}
	// A name as long as allowed still fits the trash's info file.
	long := filepath.Join(h.home, strings.Repeat("n", 255))
	write(t, long, "long")
	h.ok(t, map[string]any{"op": "delete", "path": long})
	if _, err := os.Stat(long); err == nil {
		t.Error("the long-named file is still there")
	}
}

// Permission denied is said as such (as root, an immutable folder stands
// for one the customer's user may not change).
func TestPermissionDenied(t *testing.T) {
	h := newHarness(t)
	locked := filepath.Join(h.home, "locked")
	if err := os.Mkdir(locked, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(locked, "inside"), "x")
	if os.Geteuid() == 0 {
		if out, err := exec.Command("chattr", "+i", locked).CombinedOutput(); err != nil {
			t.Skipf("chattr +i: %v %s", err, out)
		}
		t.Cleanup(func() { _ = exec.Command("chattr", "-i", locked).Run() })
	} else {
		if err := os.Chmod(locked, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = os.Chmod(locked, 0o755) })
	}
	h.wantCode(t, map[string]any{"op": "mkdir", "path": locked, "name": "new"}, "permission")
	h.wantCode(t, map[string]any{"op": "rename", "path": filepath.Join(locked, "inside"), "name": "x2"}, "permission")
	h.wantCode(t, map[string]any{"op": "delete", "path": filepath.Join(locked, "inside")}, "permission")
	h.wantCode(t, map[string]any{"op": "copy", "path": filepath.Join(h.home, "locked", "inside"), "to": locked}, "exists")
}

// Errors of the system are named for the technician: a file in use, a full
// disk, a name too long (the OS edge: these cannot be caused at will here).
func TestClassify(t *testing.T) {
	for _, c := range []struct {
		err  error
		want *Error
	}{
		{&os.PathError{Op: "open", Path: "/x", Err: syscall.EBUSY}, ErrInUse},
		{&os.PathError{Op: "open", Path: "/x", Err: syscall.ETXTBSY}, ErrInUse},
		{&os.PathError{Op: "write", Path: "/x", Err: syscall.ENOSPC}, ErrDiskFull},
		{&os.PathError{Op: "write", Path: "/x", Err: syscall.EDQUOT}, ErrDiskFull},
		{&os.LinkError{Op: "rename", Old: "/a", New: "/b", Err: syscall.ENAMETOOLONG}, ErrTooLong},
		{&os.PathError{Op: "open", Path: "/x", Err: syscall.EACCES}, ErrPermission},
		{&os.PathError{Op: "open", Path: "/x", Err: syscall.ENOENT}, ErrNotFound},
		{fmt.Errorf("wrapped: %w", ErrNoTrash), ErrNoTrash},
	} {
		if got := classify(c.err); got != c.want {
			t.Errorf("classify(%v) = %v, want %v", c.err, got, c.want)
		}
	}
	if got := classify(syscall.EIO); got.Code != "failed" || !strings.Contains(got.Error(), "input/output error") {
		t.Errorf("classify(EIO) = %q %q", got.Code, got.Error())
	}
}

// A folder copy that fails half way (here on a named pipe, which is not
// copied) leaves nothing behind and says why.
func TestCopyFailureLeavesNothing(t *testing.T) {
	h := newHarness(t)
	src := filepath.Join(h.home, "src")
	if err := os.Mkdir(src, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(src, "a"), "a")
	if err := syscall.Mkfifo(filepath.Join(src, "pipe"), 0o644); err != nil {
		t.Skip(err)
	}
	dst := filepath.Join(h.home, "dst")
	if err := os.Mkdir(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	h.wantCode(t, map[string]any{"op": "copy", "path": src, "to": dst}, "failed")
	if _, err := os.Stat(filepath.Join(dst, "src")); err == nil {
		t.Error("a half copy was left")
	}
}

// Downloads and uploads are handed to the file transfers, with the paths
// checked first; a running transfer is said as busy.
func TestTransfersHandedOn(t *testing.T) {
	h := newHarness(t)
	f := filepath.Join(h.home, "report one.pdf")
	write(t, f, "pdf!")
	r := h.ok(t, map[string]any{"op": "download", "path": f})
	if r.Size != 4 || len(h.tr.sent) != 1 || h.tr.sent[0] != f {
		t.Errorf("download: %+v, sent %q", r, h.tr.sent)
	}
	h.ok(t, map[string]any{"op": "upload", "path": h.home, "transfer": "abc_1"})
	if h.tr.expected["abc_1"] != h.home {
		t.Errorf("upload expected %v", h.tr.expected)
	}
	h.tr.err = files.ErrBusy
	h.wantCode(t, map[string]any{"op": "download", "path": f}, "busy")
	h.tr.err = files.ErrNotConnected
	h.wantCode(t, map[string]any{"op": "upload", "path": h.home, "transfer": "abc_2"}, "failed")
}

// The rename itself refuses to replace (RENAME_NOREPLACE): a file made
// between the check and the rename is not lost.
func TestRenameNoReplace(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	write(t, a, "a")
	write(t, b, "b")
	if err := renameNoReplace(a, b); classify(err) != ErrExists {
		t.Fatalf("renameNoReplace onto a file: %v", err)
	}
	if got, _ := os.ReadFile(b); string(got) != "b" {
		t.Fatalf("b holds %q", got)
	}
}

// Sorted by size, folders go by name: their own size (which grows with
// their number of entries) says nothing of what they hold.
func TestFoldersBySizeGoByName(t *testing.T) {
	h := newHarness(t)
	for _, d := range []string{"a-big", "b-small"} {
		if err := os.Mkdir(filepath.Join(h.home, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 2000 {
		write(t, filepath.Join(h.home, "a-big", fmt.Sprintf("entry-with-a-long-name-%04d", i)), "")
	}
	l := h.ok(t, map[string]any{"op": "list", "path": h.home, "sort": "size"}).Listing
	if got := strings.Join(names(l), ","); got != "a-big,b-small" {
		t.Errorf("folders by size: %s", got)
	}
}
