package peer

import (
	"context"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/e2e/xvfb"
)

// xvfbChildEnv marks the re-executed test binary that runs with DISPLAY set.
//
// mediadevices' X11 screen driver looks for screens in its init function, from
// DISPLAY as it is when the process starts, before TestMain. So the test starts
// Xvfb and runs this test again in a child process whose DISPLAY names it.
const xvfbChildEnv = "LIFELINE_PEER_XVFB_CHILD"

const (
	xvfbWidth, xvfbHeight = 1280, 720
)

func TestScreenCaptureOnXvfb(t *testing.T) {
	if os.Getenv(xvfbChildEnv) == "1" {
		screenSessions(t)
		return
	}
	display := xvfb.Start(t, xvfbWidth, xvfbHeight)

	ctx, cancel := context.WithTimeout(context.Background(), 4*hangGuard)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0],
		"-test.run=^TestScreenCaptureOnXvfb$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "DISPLAY="+display, xvfbChildEnv+"=1")
	out, err := cmd.CombinedOutput()
	t.Logf("child test process (DISPLAY=%s):\n%s", display, out)
	if err != nil {
		t.Fatalf("child test process: %v", err)
	}
	if !strings.Contains(string(out), "--- PASS: TestScreenCaptureOnXvfb") {
		t.Fatal("child test process did not run TestScreenCaptureOnXvfb")
	}
}

// screenSessions runs in the child process: two sessions one after the other,
// capturing the real X11 screen, to show the screen driver can be reopened.
func screenSessions(t *testing.T) {
	if !haveScreen() {
		t.Fatalf("DISPLAY=%s but mediadevices registered no X11 screen", os.Getenv("DISPLAY"))
	}
	for i := range 2 {
		base := runtime.NumGoroutine()
		s := connect(t, Config{})
		waitState(t, s.states, webrtc.PeerConnectionStateConnected)
		t.Logf("session %d: connected %v after Answer returned", i+1, time.Since(s.answered))
		checkVideo(t, s)
		checkInput(t, s)
		if w, h := s.peer.ScreenSize(); w != xvfbWidth || h != xvfbHeight {
			t.Errorf("ScreenSize = %d×%d, want %d×%d", w, h, xvfbWidth, xvfbHeight)
		}
		if i == 0 {
			logFrameRate(t, s, 2*time.Second)
		}
		s.close(t)
		checkNoLeaks(t, base)
	}
}

// logFrameRate reports (does not check) the frames per second that arrive.
func logFrameRate(t *testing.T, s *session, window time.Duration) {
	t.Helper()
	frames := map[uint32]bool{}
	var packets int
	end := time.After(window)
	for {
		select {
		case pkt := <-s.browser.packets:
			frames[pkt.ts] = true
			packets++
		case <-end:
			t.Logf("received %.1f frames/s (%d RTP packets) over %v of a static %d×%d screen",
				float64(len(frames))/window.Seconds(), packets, window, xvfbWidth, xvfbHeight)
			return
		}
	}
}
