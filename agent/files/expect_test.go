package files

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// An upload the file manager announced goes into its folder without the
// customer's click, checked by SHA-256 as any other; an offer not announced
// still waits for the customer.
func TestExpectedUploadGoesIntoItsFolder(t *testing.T) {
	dir := t.TempDir()
	f := newFeature(t, t.TempDir(), nil)
	c := pair(t, f)
	waitUntil(t, "the control channel", func() bool { f.mu.Lock(); defer f.mu.Unlock(); return f.ctl != nil })
	if err := f.Expect("fm1", dir); err != nil {
		t.Fatal(err)
	}
	content := bytes.Repeat([]byte("upload "), 100_000)
	c.send(protocol.FileMessage{Kind: protocol.FileOffer, ID: "fm1", N: 7, Name: "report.pdf", Size: int64(len(content))})
	if m := c.next(); m.Kind != protocol.FileAccept || m.ID != "fm1" {
		t.Fatalf("got %+v, want accept", m)
	}
	c.chunks(7, content)
	c.send(protocol.FileMessage{Kind: protocol.FileDone, ID: "fm1", SHA256: hexSum(content)})
	if m := c.next(); m.Kind != protocol.FileResult || m.SHA256 != hexSum(content) {
		t.Fatalf("got %+v", m)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "report.pdf")); err != nil || !bytes.Equal(b, content) {
		t.Fatalf("uploaded file: %v", err)
	}

	// Announced once: the same ID again is the customer's to accept.
	c.send(protocol.FileMessage{Kind: protocol.FileOffer, ID: "fm1", N: 8, Name: "again.pdf", Size: 3})
	waitUntil(t, "the second offer", func() bool { f.mu.Lock(); defer f.mu.Unlock(); return f.in != nil })
	f.mu.Lock()
	state := f.in.state
	f.mu.Unlock()
	if state != "offered" {
		t.Fatalf("the second offer is %q, want it waiting for the customer", state)
	}
}

// SendFile sends a file of the customer's to the technician, refusing a
// second while one runs.
func TestSendFile(t *testing.T) {
	f := newFeature(t, t.TempDir(), nil)
	c := pair(t, f)
	waitUntil(t, "the control channel", func() bool { f.mu.Lock(); defer f.mu.Unlock(); return f.ctl != nil })
	p := filepath.Join(t.TempDir(), "notes with space.txt")
	if err := os.WriteFile(p, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	if n, err := f.SendFile(p); err != nil || n != 5 {
		t.Fatalf("SendFile: %d, %v", n, err)
	}
	m := c.next()
	if m.Kind != protocol.FileOffer || m.Name != "notes with space.txt" || m.Size != 5 {
		t.Fatalf("offer %+v", m)
	}
	if _, err := f.SendFile(p); err != ErrBusy {
		t.Errorf("second SendFile: %v, want ErrBusy", err)
	}
	c.send(protocol.FileMessage{Kind: protocol.FileDecline, ID: m.ID})
}
