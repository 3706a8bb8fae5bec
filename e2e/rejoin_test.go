package e2e

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// markPeer remembers the console's current peer connection, so that a new
// one can be told apart.
func (tc *Technician) markPeer(t testing.TB) {
	t.Helper()
	evalJS[bool](t, tc.p, "mark the peer connection", `(window.__oldPC = lifeline.pc, true)`)
}

// newPeerConnected reports whether the console has a peer connection other
// than the marked one, and it is connected.
func (tc *Technician) newPeerConnected(t testing.TB) bool {
	t.Helper()
	return evalJS[bool](t, tc.p, "new peer connection",
		`!!lifeline.pc && lifeline.pc !== window.__oldPC && lifeline.pc.connectionState === "connected"`)
}

// killWorker kills the customer's agent worker with SIGKILL and waits for
// the agent to exit, telling the customer.
func (c *Customer) killWorker(t testing.TB) time.Time {
	t.Helper()
	if err := syscall.Kill(c.WorkerPid(t), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	return time.Now()
}

// Issue 21, item 2: the customer's program is killed in the middle of a
// session; the customer runs it again (the same download) within the
// reconnect window. The session resumes instead of "This invitation was
// already used": the console shows Reconnecting, then the customer is asked
// again (a new program has no grants), and once they allow it the session is
// Active with the screen shown on a new connection.
func TestKilledAgentResumesSession(t *testing.T) {
	stack := Start(t)
	tech := stack.Technician(t)
	customer := stack.Customer(t, tech.NewSession(t, "Ada"))
	customer.OpenPage(t)
	customer.Allow(t)
	tech.WaitVideo(t)
	tech.WaitState(t, "active")
	tech.markPeer(t)

	customer.killWorker(t)
	if code, stdout, _ := customer.WaitExit(t); code == 0 || !strings.Contains(stdout, "Run Lifeline again") {
		t.Fatalf("agent exit %d after its worker was killed; stdout:\n%s", code, stdout)
	}
	tech.WaitState(t, "reconnecting")

	again := customer.RunAgain(t)
	again.OpenPage(t)
	var asked string
	waitFor(t, "the customer asked again, or the program to stop", func() bool {
		select {
		case <-again.exited:
			_, stdout, stderr := again.WaitExit(t)
			t.Fatalf("the program run again stopped:\n%s\n%s", stdout, stderr)
		default:
		}
		asked = again.PageText(t)
		return strings.Contains(asked, "Allow")
	})
	tech.WaitStatus(t, "Waiting for")
	again.Allow(t)
	tech.WaitState(t, "active")
	waitFor(t, "the screen on a new connection", func() bool { return tech.newPeerConnected(t) })
	tech.WaitFramesAfter(t, 0)
	tech.WaitStatus(t, "Connected to Ada")
}

// Issue 21, item 2: the customer's program is killed while the technician
// sends it a file. Within seconds the console shows the transfer failed
// ("the customer's program stopped") instead of a frozen progress bar, and
// nothing is left in progress.
func TestConsoleShowsTransferFailedOnPeerLoss(t *testing.T) {
	t.Setenv("XDG_DOWNLOAD_DIR", t.TempDir())
	stack := Start(t)
	tech := stack.Technician(t)
	customer := stack.Customer(t, tech.NewSession(t, "Ada"))
	customer.OpenPage(t)
	customer.Allow(t)
	tech.WaitVideo(t)
	path, _ := MakeFile(t, "big.bin", 400<<20)
	tech.SendFile(t, path)
	customer.AcceptFile(t)
	waitFor(t, "the file on its way", func() bool { f := tech.Files(t); return f.Out != nil && f.Out.Sent > 0 })

	killed := customer.killWorker(t)
	const within = 15 * time.Second // 5-7 s measured (the browser sees the path gone), with room for a loaded machine
	for {
		f := tech.Files(t)
		failed := len(f.Ended) == 1 && f.Ended[0].Name == "big.bin" && f.Ended[0].Reason == "stopped"
		shown := strings.Contains(tech.LogText(t), "the customer's program stopped") &&
			strings.Contains(get(t, tech.ctx, "files note", chromedp.Text(chromedp.ID("files-note"))), "did not finish")
		if failed && shown && f.Out == nil {
			break
		}
		if time.Since(killed) > within {
			t.Fatalf("%v after the customer's program was killed the console shows: %s\nsession log: %s",
				within, tech.FilesDiagnostics(t), tech.LogText(t))
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("the console showed the transfer failed %v after the kill", time.Since(killed).Round(100*time.Millisecond))
}
