package server_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/signaling/server"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// getDownload sends GET path on a raw connection to the node at base and
// reads the status line and headers, leaving the body unread.
func getDownload(t *testing.T, base, path string) (net.Conn, *http.Response) {
	t.Helper()
	u, _ := url.Parse(base)
	c, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := c.Write([]byte("GET " + path + " HTTP/1.1\r\nHost: " + u.Host + "\r\nAccept-Language: fr\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(20 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	return c, resp
}

// TestStalledDownloadIsCutOff: a customer's browser that starts an agent
// download and stops reading does not hold the connection (and its slot)
// for an hour: past the stall bound without progress the server gives up.
// One address holds only so many downloads at once; the next is told,
// in its language, to wait, and is let through again once the stalled one
// was cut off.
func TestStalledDownloadIsCutOff(t *testing.T) {
	agents := t.TempDir()
	f, err := os.Create(filepath.Join(agents, "lifeline-agent-linux-amd64"))
	if err != nil {
		t.Fatal(err)
	}
	// Far more than the sockets' buffers hold (sparse: nothing is written).
	const size = 256 << 20
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	f.Close()
	n := st.StartNode(t, natstest.Server(t), "node", func(c *server.Config) {
		c.AgentDir = agents
		c.HTTP.DownloadStall = time.Second
		c.HTTP.DownloadsPerAddress = 1
	})
	stalled, resp := getDownload(t, n.URL, "/download/plain/linux")
	if resp.StatusCode != http.StatusOK || resp.ContentLength <= size {
		t.Fatalf("download: %d, %d bytes", resp.StatusCode, resp.ContentLength)
	}
	// The client reads nothing more. A second download from its address
	// waits for the first.
	_, second := getDownload(t, n.URL, "/download/plain/linux")
	body, _ := io.ReadAll(io.LimitReader(second.Body, 4096))
	if second.StatusCode != http.StatusTooManyRequests || second.Header.Get("Retry-After") == "" || !strings.Contains(string(body), "téléchargement") {
		t.Fatalf("a second download at once from one address: %d %.200q, want 429 with Retry-After and a message in French", second.StatusCode, body)
	}
	// Once the stalled download is cut off its slot is free again.
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, r := getDownload(t, n.URL, "/download/plain/linux")
		c.Close()
		if r.StatusCode == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the stalled download still holds its slot after 30 s (stall bound 1 s): %d", r.StatusCode)
		}
		time.Sleep(100 * time.Millisecond) // polling a condition, with a deadline
	}
	// And the stalled client never gets the whole file.
	_ = stalled.SetReadDeadline(time.Now().Add(20 * time.Second))
	got, _ := io.Copy(io.Discard, resp.Body)
	if got >= resp.ContentLength {
		t.Fatalf("the stalled client got the whole file (%d bytes)", got)
	}
}
