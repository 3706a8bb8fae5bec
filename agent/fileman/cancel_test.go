package fileman

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// A copy cancelled while it runs stops, says so, and leaves nothing half
// copied; the original is untouched.
func TestCancelStopsARunningCopy(t *testing.T) {
	h := newHarness(t)
	src := filepath.Join(h.home, "big.img")
	f, err := os.Create(src)
	if err != nil {
		t.Fatal(err)
	}
	// Sparse: 512 MiB to read, nothing to store.
	if err := f.Truncate(512 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	to := filepath.Join(h.home, "Backup")
	if err := os.Mkdir(to, 0o755); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(to, "big.img")
	replied := make(chan protocol.FMReply, 1)
	b, _ := json.Marshal(map[string]any{"id": "copy-1", "op": "copy", "path": protocol.FMWirePath(src), "to": protocol.FMWirePath(to)})
	go func() { replied <- h.m.Handle(b) }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if fi, err := os.Stat(dst); err == nil && fi.Size() > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the copy did not start")
		}
		time.Sleep(time.Millisecond)
	}
	if r := h.ok(t, map[string]any{"id": "c", "op": "cancel", "target": "copy-1"}); !r.Done {
		t.Fatalf("cancel: %+v", r)
	}
	select {
	case r := <-replied:
		if r.Code != "cancelled" || r.ID != "copy-1" {
			t.Fatalf("the copy's reply %+v, want cancelled", r)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the copy did not stop")
	}
	if _, err := os.Lstat(dst); !os.IsNotExist(err) {
		t.Errorf("a half copy is left: %v", err)
	}
	if fi, err := os.Stat(src); err != nil || fi.Size() != 512<<20 {
		t.Errorf("the original: %v", err)
	}
}

// A copy cancelled while it waits behind another request is refused when
// its turn comes.
func TestCancelWaitingCopy(t *testing.T) {
	h := newHarness(t)
	src := filepath.Join(h.home, "a.txt")
	write(t, src, "a")
	to := filepath.Join(h.home, "Backup")
	if err := os.Mkdir(to, 0o755); err != nil {
		t.Fatal(err)
	}
	h.ok(t, map[string]any{"id": "c", "op": "cancel", "target": "copy-2"})
	copy2 := map[string]any{"id": "copy-2", "op": "copy", "path": protocol.FMWirePath(src), "to": protocol.FMWirePath(to)}
	if r := h.do(t, copy2); r.Code != "cancelled" {
		t.Fatalf("reply %+v", r)
	}
	if _, err := os.Lstat(filepath.Join(to, "a.txt")); !os.IsNotExist(err) {
		t.Errorf("copied anyway: %v", err)
	}
	// The same ID again is a new request.
	h.ok(t, copy2)
}
