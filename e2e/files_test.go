package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func fileSHA(t testing.TB, p string) string {
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

// connectedForFiles starts a session with the customer's Downloads in a temp folder.
func connectedForFiles(t testing.TB) (*Technician, *Customer, string) {
	downloads := t.TempDir()
	if tt, ok := t.(*testing.T); ok {
		tt.Setenv("XDG_DOWNLOAD_DIR", downloads)
	} else {
		b := t.(*testing.B)
		b.Setenv("XDG_DOWNLOAD_DIR", downloads)
	}
	stack := Start(t)
	tech := stack.Technician(t)
	inv := tech.NewSession(t, "Ada")
	customer := stack.Customer(t, inv)
	customer.OpenPage(t)
	customer.Allow(t)
	tech.WaitVideo(t)
	return tech, customer, downloads
}

// TestFilesBothWays hands a 200 MB file each way while the screen streams.
func TestFilesBothWays(t *testing.T) {
	tech, customer, downloads := connectedForFiles(t)
	const size = 200 << 20

	// The technician sends a file; the customer accepts it into Downloads.
	path, sum := MakeFile(t, "report.bin", size)
	tech.SendFile(t, path)
	customer.AcceptFile(t)
	before := tech.Frames(t)
	start := time.Now()
	var during []int
	waitLong(t, "the file at the customer", transferHangGuard, func() bool {
		during = append(during, tech.Frames(t))
		return len(tech.Files(t).Sent) == 1
	})
	t.Logf("technician → customer: %.1f MB/s; frames %d → %v", size/1e6/time.Since(start).Seconds(), before, during[len(during)-1])
	assertFramesKeptComing(t, before, during)
	got := tech.Files(t).Sent[0]
	if got.SHA256 != sum || fileSHA(t, filepath.Join(downloads, "report.bin")) != sum {
		t.Fatalf("sha mismatch: console %s, want %s", got.SHA256, sum)
	}
	waitLong(t, "the customer's log", Timeout, func() bool {
		return strings.Contains(customer.FilesLog(t), "File received: report.bin, 209.7 MB, SHA-256 "+sum)
	})
	if !strings.Contains(tech.LogText(t), "File sent: report.bin, 209.7 MB, SHA-256 "+sum) {
		t.Fatalf("console log: %s", tech.LogText(t))
	}
	// The customer's one running log has it too, with the chat.
	customer.WaitChat(t, "File received: report.bin, 209.7 MB, SHA-256 "+sum)

	// The customer sends a file from their page.
	path2, sum2 := MakeFile(t, "photos.bin", size+12345)
	customer.SendFile(t, path2)
	before = tech.Frames(t)
	start = time.Now()
	during = nil
	waitLong(t, "the file at the technician", transferHangGuard, func() bool {
		during = append(during, tech.Frames(t))
		return len(tech.Files(t).Received) == 1
	})
	t.Logf("customer → technician: %.1f MB/s", size/1e6/time.Since(start).Seconds())
	assertFramesKeptComing(t, before, during)
	if got := tech.Files(t).Received[0]; got.SHA256 != sum2 || got.Name != "photos.bin" {
		t.Fatalf("received %+v, want sha %s", got, sum2)
	}
	waitLong(t, "the customer's log", Timeout, func() bool { return strings.Contains(customer.FilesLog(t), "File sent: photos.bin") })
	customer.WaitChat(t, "File sent: photos.bin")
}

// transferHangGuard bounds a 200 MB transfer: a hang guard only. It is generous
// because a loaded shared machine can slow a transfer to 1 MB/s.
const transferHangGuard = 10 * time.Minute

// assertFramesKeptComing checks the video decoded frames in every second of a transfer.
func assertFramesKeptComing(t testing.TB, before int, during []int) {
	t.Helper()
	prev := before
	for i := 10; i < len(during); i += 10 { // samples are ~100 ms apart
		if during[i] <= prev {
			t.Fatalf("no frame decoded for a second during the transfer: %v", during)
		}
		prev = during[i]
	}
	if len(during) > 0 && during[len(during)-1] <= before {
		t.Fatalf("no frames during the transfer: %d → %v", before, during)
	}
}

// TestFilesCancelAndHostileName: a cancelled transfer leaves nothing behind, and a
// reserved name is sanitised.
func TestFilesCancelAndHostileName(t *testing.T) {
	tech, customer, downloads := connectedForFiles(t)
	path, _ := MakeFile(t, "big.bin", 400<<20)
	tech.SendFile(t, path)
	customer.AcceptFile(t)
	waitLong(t, "the transfer to start", Timeout, func() bool { o := tech.Files(t).Out; return o != nil && o.Sent > 10<<20 })
	tech.CancelSend(t)
	waitLong(t, "the customer's log", Timeout, func() bool { return strings.Contains(customer.FilesLog(t), "File transfer cancelled: big.bin") })
	waitLong(t, "the partial file removed", Timeout, func() bool {
		es, _ := os.ReadDir(downloads)
		return len(es) == 0
	})

	hostile, sum := MakeFile(t, "CON.txt", 1000)
	tech.SendFile(t, hostile)
	customer.AcceptFile(t)
	deadline := time.Now().Add(Timeout)
	for len(tech.Files(t).Sent) != 1 {
		if time.Now().After(deadline) {
			// Seen once in CI (the agent logged the offer, then nothing):
			// say where each side stood.
			t.Fatalf("timed out waiting for the file: technician %s; log %q; customer log %q, offer %q",
				tech.FilesDiagnostics(t), tech.LogText(t), customer.FilesLog(t), customer.OfferText(t))
		}
		time.Sleep(100 * time.Millisecond)
	}
	if fileSHA(t, filepath.Join(downloads, "_CON.txt")) != sum {
		t.Fatal("sanitised file differs")
	}
}
