package server_test

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/signaling/server"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// syncBuffer is a log sink tests may read while the server writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor polls cond until it holds or within has passed.
func waitFor(t *testing.T, within time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		ok, last := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v; last: %s", what, within, last)
		}
		time.Sleep(100 * time.Millisecond) // polling the server
	}
}

// TestFullDiskIsReportedAndRecovers fills the data disk of a node running
// embedded NATS (a tmpfs of its own): /readyz says why it is not ready, the
// log names the directory, creating a session fails at once with a sentence
// an administrator understands, and once space is freed the node works
// again without a restart.
func TestFullDiskIsReportedAndRecovers(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a small tmpfs as the data disk")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=96m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v: %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", "-l", dir).Run() })
	logs := &syncBuffer{}
	n := st.StartNode(t, "", "node", func(c *server.Config) {
		c.DataDir = dir
		c.Logger = slog.New(slog.NewTextHandler(io.MultiWriter(logs), nil))
	})
	tc := st.LogIn(t, n)
	tc.NewSession(t, "Before")

	ready := func() (int, string) {
		resp, err := http.Get(n.URL + "/readyz")
		if err != nil {
			return 0, err.Error()
		}
		return resp.StatusCode, st.ReadAll(t, resp)
	}
	if code, body := ready(); code != http.StatusOK {
		t.Fatalf("readyz before: %d %s", code, body)
	}

	// Something else fills the disk.
	ballast := filepath.Join(dir, "ballast")
	f, err := os.Create(ballast)
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 1<<20)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			break
		}
	}
	f.Close()

	create := func() (int, string, time.Duration) {
		start := time.Now()
		code, body := tc.Post(t, "/console/sessions", url.Values{"customer": {"During"}})
		return code, body, time.Since(start)
	}
	// The first writes meet the full disk; the node notices.
	waitFor(t, 60*time.Second, "readyz to report the full disk", func() (bool, string) {
		create()
		code, body := ready()
		return code == http.StatusServiceUnavailable && strings.Contains(body, filepath.Join(dir, "nats")), body
	})
	code, body, took := create()
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "disk holding its data is full") || took > 2*time.Second {
		t.Fatalf("create on a full disk: HTTP %d after %v: %.300s", code, took, body)
	}
	if !strings.Contains(logs.String(), "dir="+filepath.Join(dir, "nats")) {
		t.Fatalf("no log line names the data directory:\n%s", logs.String())
	}

	// The administrator frees space; the node recovers by itself.
	if err := os.Remove(ballast); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "readyz after space was freed", func() (bool, string) {
		code, body := ready()
		return code == http.StatusOK, body
	})
	waitFor(t, 30*time.Second, "a session created after space was freed", func() (bool, string) {
		code, body, _ := create()
		return code == http.StatusOK && strings.Contains(body, `id="invite-link"`), body[:min(len(body), 300)]
	})
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, "JetStream") || strings.Contains(l, "embedded NATS") {
			t.Log(l)
		}
	}
}
