package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/signaling/audit"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// customerHome gives the stack's agents a home folder of their own (with
// its XDG trash inside) and returns it.
func customerHome(t *testing.T, stack *Stack) string {
	t.Helper()
	home := t.TempDir()
	stack.AgentEnv = append(stack.AgentEnv, "HOME="+home, "XDG_DATA_HOME="+filepath.Join(home, ".local", "share"))
	return home
}

func sha256File(t *testing.T, p string) string {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func exists(p string) bool { _, err := os.Lstat(p); return err == nil }

// sizeIs reports whether a whole file of size bytes is at p.
func sizeIs(p string, size int64) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular() && st.Size() == size
}

// The technician asks for the file manager; the customer is asked in plain
// words and allows it. The panel starts in the customer's home, lists its
// files (odd names shown escaped, hidden ones not), renames one, copies it
// into a folder, deletes it to the XDG trash, downloads a 50 MB file and
// uploads another into the folder shown, both SHA-256 checked; every change
// is in the audit trail; the customer takes the grant back.
func TestFileManagerListsRenamesCopiesDeletesAndTransfers(t *testing.T) {
	stack := Start(t)
	home := customerHome(t, stack)
	docs := filepath.Join(home, "Documents")
	if err := os.Mkdir(docs, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{"notes.txt": "call notes", ".secret": "hidden", "new\nline \"quoted\".txt": "odd", "raw\xff.bin": "raw"} {
		if err := os.WriteFile(filepath.Join(home, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const size = 50 << 20
	bigTmp, bigSHA := MakeFile(t, "big.bin", size)
	big := filepath.Join(home, "big file.bin")
	if err := os.Rename(bigTmp, big); err != nil {
		t.Fatal(err)
	}
	many := filepath.Join(home, "many")
	if err := os.Mkdir(many, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range 100_000 {
		if err := os.WriteFile(filepath.Join(many, fmt.Sprintf("f%06d", i)), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	tech := stack.Technician(t)
	customer := stack.Customer(t, tech.NewSession(t, "Marie Dupont"))
	customer.OpenPage(t)
	customer.Allow(t)
	tech.WaitStatus(t, "Connected to Marie Dupont")
	sid := tech.SessionID(t)

	tech.AskFileManager(t)
	if q := customer.WaitAsked(t); !strings.Contains(q, "manage files") {
		t.Fatalf("the customer is asked %q, want the file manager question", q)
	}
	customer.Allow(t)
	tech.WaitRow(t, "notes.txt")
	if c := tech.Crumbs(t); len(c) < 2 || c[0] != "/" || c[len(c)-1] != filepath.Base(home) {
		t.Errorf("breadcrumbs %q, want / … %s", c, filepath.Base(home))
	}
	rows := tech.FolderRows(t)
	if rows[0] != "Documents" || !slices.Contains(rows, `new\nline "quoted".txt`) || !slices.Contains(rows, `raw\xff.bin`) || slices.Contains(rows, ".secret") {
		t.Errorf("home lists %q: want Documents first, odd names escaped, no hidden file", rows)
	}
	tech.Shot(t, "console-fileman")

	// Rename, copy into Documents, delete to the trash.
	tech.SelectRow(t, "notes.txt")
	tech.FileAction(t, "fm-rename", "notes 2026.txt")
	waitFor(t, "the rename on the customer's disk", func() bool { return exists(filepath.Join(home, "notes 2026.txt")) })
	tech.WaitRow(t, "notes 2026.txt")
	tech.SelectRow(t, "notes 2026.txt")
	tech.FileAction(t, "fm-copy", docs)
	waitFor(t, "the copy in Documents", func() bool { return sizeIs(filepath.Join(docs, "notes 2026.txt"), int64(len("call notes"))) })
	tech.SelectRow(t, "notes 2026.txt")
	tech.FileAction(t, "fm-delete", "") // the confirmation is accepted
	trashed := filepath.Join(home, ".local", "share", "Trash", "files", "notes 2026.txt")
	waitFor(t, "the file in the customer's trash", func() bool { return exists(trashed) && !exists(filepath.Join(home, "notes 2026.txt")) })
	waitFor(t, "the row gone", func() bool { return !slices.Contains(tech.FolderRows(t), "notes 2026.txt") })
	// The customer's log says what was changed.
	customer.WaitChat(t, "The technician renamed "+filepath.Join(home, "notes.txt")+" to "+filepath.Join(home, "notes 2026.txt"))
	customer.WaitChat(t, "The technician moved "+filepath.Join(home, "notes 2026.txt")+" to the trash")
	if note := tech.FileNote(t); note != "" {
		t.Errorf("the panel says %q", note)
	}

	// Hidden files on request; sorted by size, largest first (folders
	// first, by name).
	clickOn(t, tech.p, "#fm-hidden")
	tech.WaitRow(t, ".secret")
	clickOn(t, tech.p, "#fm-sort-size")
	var r []string
	waitForOr(t, func() bool {
		r = tech.FolderRows(t)
		// Folders first (by name, descending), then files by size.
		n := len(r)
		return n > 4 && r[0] == "many" && slices.Equal(r[n-4:], []string{"big file.bin", ".secret", `raw\xff.bin`, `new\nline "quoted".txt`})
	}, func() { t.Fatalf("rows by size: %q", r) })

	// A folder of 100,000 files: the agent sends one page of it.
	started := time.Now()
	tech.OpenFolder(t, "many")
	waitJS(t, tech.p, "the first page of 100,000 files", `document.getElementById("fm-pages")?.textContent === "Page 1 of 200 · entries: 100000"`)
	t.Logf("a folder of 100,000 files listed in %v (sorted by size)", time.Since(started).Round(time.Millisecond))
	clickOn(t, tech.p, "#fm-next")
	waitJS(t, tech.p, "the second page", `document.getElementById("fm-pages")?.textContent === "Page 2 of 200 · entries: 100000"`)
	clickOn(t, tech.p, "#fm-home")
	tech.WaitRow(t, "big file.bin")

	// Download 50 MB to the technician's browser.
	tech.SelectRow(t, "big file.bin")
	tech.FileAction(t, "fm-download", "")
	saved := filepath.Join(tech.p.DownloadDir(), "big file.bin")
	started = time.Now()
	waitLong(t, "the 50 MB download saved by the browser", 4*time.Minute, func() bool {
		return sizeIs(saved, size) && !exists(saved+".crdownload")
	})
	t.Logf("50 MB downloaded in %v", time.Since(started).Round(time.Millisecond))
	if got := sha256File(t, saved); got != bigSHA {
		t.Errorf("downloaded SHA-256 %s, want %s", got, bigSHA)
	}
	if r := tech.Files(t).Received; len(r) != 1 || r[0].SHA256 != bigSHA {
		t.Errorf("the console received %+v, want the big file's hash", r)
	}

	// Upload 50 MB into the folder shown.
	tech.OpenFolder(t, "Documents")
	tech.WaitRow(t, "notes 2026.txt")
	upTmp, upSHA := MakeFile(t, "from the technician.bin", size+1)
	tech.UploadHere(t, upTmp)
	up := filepath.Join(docs, "from the technician.bin")
	started = time.Now()
	waitLong(t, "the 50 MB upload on the customer's disk", 4*time.Minute, func() bool { return sizeIs(up, size+1) })
	t.Logf("50 MB uploaded in %v", time.Since(started).Round(time.Millisecond))
	if got := sha256File(t, up); got != upSHA {
		t.Errorf("uploaded SHA-256 %s, want %s", got, upSHA)
	}
	tech.WaitRow(t, "from the technician.bin")
	// The filter keeps what matches.
	clickOn(t, tech.p, "#fm-filter")
	do(t, "type a filter", func(ctx context.Context) error { return tech.p.Type(ctx, "TECH") })
	waitFor(t, "the filtered rows", func() bool { return slices.Equal(tech.FolderRows(t), []string{"from the technician.bin"}) })
	waitFor(t, "the progress gone", func() bool {
		return evalJS[bool](t, tech.p, "progress hidden", `document.getElementById("fm-progress").hidden`)
	})
	tech.Shot(t, "console-fileman-uploaded")

	// The audit trail has each change, and both files with their hashes.
	admin := st.LogInAs(t, st.Node{URL: stack.URL}, "admin", AdminPassword)
	waitFor(t, "the changes in the audit trail", func() bool {
		changed := auditOf(t, admin, "type=file.changed&session="+sid)
		return containsDetail(changed, "renamed: "+filepath.Join(home, "notes.txt")) &&
			containsDetail(changed, "copied: ") && containsDetail(changed, "moved to the trash: ")
	})
	waitFor(t, "both transfers in the audit trail", func() bool {
		return hasFile(auditOf(t, admin, "type=file.received&session="+sid), bigSHA) &&
			hasFile(auditOf(t, admin, "type=file.sent&session="+sid), upSHA)
	})

	// The customer sees that the file manager is open to the technician, and
	// takes it back.
	waitFor(t, "the customer's notice", func() bool { return strings.Contains(customer.FileManagerNotice(t), "may manage files") })
	customer.StopFileManager(t)
	waitFor(t, "the console told", func() bool { return strings.Contains(tech.FileManagerState(t), "has not allowed the file manager") })
}

func hasFile(events []audit.Event, sha string) bool {
	for _, e := range events {
		if e.File != nil && e.File.SHA256 == sha {
			return true
		}
	}
	return false
}

// A hostile console opens the file manager's channel without the customer's
// grant and asks to delete a file: the agent closes the channel, deletes
// nothing, and the refusal is audited. Once the customer allows the file
// manager, the same client's request works, so the refusal was the agent's.
func TestHostileFileManagerWithoutGrantRefused(t *testing.T) {
	stack := Start(t)
	home := customerHome(t, stack)
	victim := filepath.Join(home, "keep me.txt")
	if err := os.WriteFile(victim, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	node := st.Node{URL: stack.URL}
	hostile := st.LogInAs(t, node, "admin", AdminPassword)
	sid, token, _ := hostile.NewSession(t, "Marie Dupont")
	customer := stack.Customer(t, Invitation{Link: stack.URL + "/s/" + token})
	customer.OpenPage(t)
	customer.Allow(t) // viewing only

	del := `{"id":"1","op":"delete","path":` + jsonString(victim) + `}`
	ws, pc, dcs := rawConsolePeer(t, hostile, sid, protocol.ChannelFileManager)
	_ = dcs[protocol.ChannelFileManager].SendText(del)
	waitFor(t, "the agent's refusal in the audit trail", func() bool {
		return containsDetail(auditOf(t, hostile, "type=agent.refused&session="+sid), "channel fm, not granted by the customer")
	})
	if !exists(victim) {
		t.Fatal("a file was deleted without the customer's grant")
	}

	// Positive control: the customer allows the file manager; the same
	// client's request on a new channel works.
	ws.Send(protocol.TypePermissionRequest, sid, protocol.PermissionRequest{Permission: protocol.PermissionFileManager})
	if q := customer.WaitAsked(t); !strings.Contains(q, "manage files") {
		t.Fatalf("the customer is asked %q", q)
	}
	customer.Allow(t)
	waitFor(t, "the file manager grant", func() bool {
		return len(auditOf(t, hostile, "type=permission.granted&session="+sid)) == 2
	})
	fm, err := pc.CreateDataChannel(protocol.ChannelFileManager, nil)
	if err != nil {
		t.Fatal(err)
	}
	replies := make(chan protocol.FMReply, 4)
	fm.OnOpen(func() { _ = fm.SendText(del) })
	fm.OnMessage(func(m webrtc.DataChannelMessage) {
		var r protocol.FMReply
		if json.Unmarshal(m.Data, &r) == nil {
			replies <- r
		}
	})
	select {
	case r := <-replies:
		if !r.Done || r.Error != "" {
			t.Fatalf("granted delete: %+v", r)
		}
	case <-time.After(Timeout):
		t.Fatal("no reply once granted")
	}
	if exists(victim) || !exists(filepath.Join(home, ".local", "share", "Trash", "files", "keep me.txt")) {
		t.Error("the granted delete did not move the file to the trash")
	}
	waitFor(t, "the deletion in the audit trail", func() bool {
		return containsDetail(auditOf(t, hostile, "type=file.changed&session="+sid), "moved to the trash: "+victim)
	})
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// A long copy shows Cancel; the technician cancels it while it runs: the
// agent stops at once, the console says so, nothing half copied is left
// and the original is untouched.
func TestFileManagerCancelsALongCopy(t *testing.T) {
	stack := Start(t)
	home := customerHome(t, stack)
	backup := filepath.Join(home, "Backup")
	if err := os.Mkdir(backup, 0o755); err != nil {
		t.Fatal(err)
	}
	// Sparse: 4 GiB to read and write, nothing stored until it is copied.
	const size = 4 << 30
	f, err := os.Create(filepath.Join(home, "disk.img"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	f.Close()
	tech := stack.Technician(t)
	customer := stack.Customer(t, tech.NewSession(t, "Marie Dupont"))
	customer.OpenPage(t)
	customer.Allow(t)
	tech.WaitStatus(t, "Connected to Marie Dupont")
	tech.AskFileManager(t)
	customer.WaitAsked(t)
	customer.Allow(t)
	tech.WaitRow(t, "disk.img")

	tech.SelectRow(t, "disk.img")
	tech.FileAction(t, "fm-copy", backup)
	dst := filepath.Join(backup, "disk.img")
	waitFor(t, "the copy under way", func() bool { st, err := os.Stat(dst); return err == nil && st.Size() > 0 })
	waitVisible(t, tech.p, "#fm-cancel")
	clickOn(t, tech.p, "#fm-cancel")
	waitFor(t, "the console told", func() bool { return strings.Contains(tech.FileNote(t), "Cancelled") })
	if exists(dst) {
		t.Error("a half copy is left on the customer's disk")
	}
	if !sizeIs(filepath.Join(home, "disk.img"), size) {
		t.Error("the original changed")
	}
	if evalJS[bool](t, tech.p, "is Cancel shown", `!document.getElementById("fm-cancel").hidden`) {
		t.Error("Cancel still shown after the copy ended")
	}
}
