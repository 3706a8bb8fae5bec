package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// MakeFile writes a file of size pseudo-random bytes named name in a new temp
// folder and returns its path and SHA-256.
func MakeFile(t testing.TB, name string, size int64) (string, string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	r := rand.NewChaCha8([32]byte{byte(size), 1, 2, 3})
	if _, err := io.CopyN(io.MultiWriter(f, h), r, size); err != nil {
		t.Fatal(err)
	}
	return p, hex.EncodeToString(h.Sum(nil))
}

// SendFile picks path in the console's files panel and clicks Send.
func (tc *Technician) SendFile(t testing.TB, path string) {
	t.Helper()
	tc.OpenPanel(t, "files")
	do(t, "pick a file", func(ctx context.Context) error { return tc.p.SetFiles(ctx, "#files-input", []string{path}) })
	clickOn(t, tc.p, "#files-send")
}

// CancelSend clicks Cancel on the file being sent.
func (tc *Technician) CancelSend(t testing.TB) {
	t.Helper()
	tc.OpenPanel(t, "files")
	clickOn(t, tc.p, "#files-out-cancel")
}

// FileStatus is what the console's files panel has done so far.
type FileStatus struct {
	Sent     []FileDone `json:"sent"`
	Received []FileDone `json:"received"`
	Ended    []struct {
		Name, Kind, Reason string
	} `json:"ended"`
	Out *struct {
		Sent, Size int64
	} `json:"out"`
	In *struct {
		Got, Size int64
	} `json:"in"`
	Resumed []struct {
		Name   string
		Offset int64
	} `json:"resumed"`
}

// FileDone is a finished transfer.
type FileDone struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Files reads the console's file status.
func (tc *Technician) Files(t testing.TB) FileStatus {
	t.Helper()
	return evalJS[FileStatus](t, tc.p, "file status",
		`({sent: lifelineFiles.sent, received: lifelineFiles.received, ended: lifelineFiles.ended, out: lifelineFiles.out, in: lifelineFiles.in, resumed: lifelineFiles.resumed})`)
}

// FilesDiagnostics is the console's file-transfer state as JSON: the transfer
// going out, and each data channel's state and queued bytes.
func (tc *Technician) FilesDiagnostics(t testing.TB) string {
	t.Helper()
	return evalJS[string](t, tc.p, "file diagnostics",
		`JSON.stringify({out: lifelineFiles.out, in: lifelineFiles.in, ended: lifelineFiles.ended, channels: lifelineFiles.channels})`)
}

// Frames is how many frames the console's video has decoded so far.
func (tc *Technician) Frames(t testing.TB) int {
	t.Helper()
	return evalJS[int](t, tc.p, "frames", `lifeline.frames`)
}

// LogText is the workspace's session log.
func (tc *Technician) LogText(t testing.TB) string {
	t.Helper()
	return evalJS[string](t, tc.p, "session log", `document.getElementById("session-log").innerText`)
}

// AcceptFile waits for the technician's file offer and accepts it into the
// default folder.
func (c *Customer) AcceptFile(t testing.TB) {
	t.Helper()
	run(t, c.ctx, "accept the file", click("files-accept"))
}

// SendFile picks path on the customer's page and clicks Send.
func (c *Customer) SendFile(t testing.TB, path string) {
	t.Helper()
	run(t, c.ctx, "send a file",
		chromedp.SetUploadFiles(chromedp.ID("files-input"), []string{path}),
		click("files-send"))
}

// FilesLog is the text of the customer's files log.
func (c *Customer) FilesLog(t testing.TB) string {
	t.Helper()
	return get(t, c.ctx, "files log", chromedp.Evaluate[string](`document.getElementById("files-log").textContent`))
}

// OfferText is what the customer's file offer says (its error included,
// if any), and whether it shows.
func (c *Customer) OfferText(t testing.TB) string {
	t.Helper()
	return get(t, c.ctx, "file offer", chromedp.Evaluate[string](
		`(() => { const o = document.getElementById("files-offer"); return (o.hidden ? "hidden: " : "shown: ") + o.textContent; })()`))
}

// waitLong waits up to d for cond, sampling every 100 ms with each(elapsed).
func waitLong(t testing.TB, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// moved is how many bytes the console's transfers in progress have moved.
func (s FileStatus) moved() int64 {
	var n int64
	if s.Out != nil {
		n += s.Out.Sent
	}
	if s.In != nil {
		n += s.In.Got
	}
	return n
}

// SaveReceived clicks Save on the received file name and waits until the
// browser has saved it; it returns the saved file's path.
func (tc *Technician) SaveReceived(t testing.TB, name string) string {
	t.Helper()
	clickOn(t, tc.p, `#files-saved a.files-download[download=`+strconv.Quote(name)+`]`)
	p := filepath.Join(tc.p.DownloadDir(), name)
	waitFor(t, name+" saved by the browser", func() bool {
		// Firefox puts an empty file under the name at once and fills p.part.
		st, err := os.Stat(p)
		return err == nil && st.Size() > 0 && !fileExists(p+".part")
	})
	return p
}

// fileExists reports whether a whole file is at p: browsers write downloads
// under another name and rename them when done.
func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}
