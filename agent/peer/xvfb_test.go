package peer

import (
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/e2e/xvfb"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

const (
	xvfbWidth, xvfbHeight = 1280, 720
)

// Two sessions one after the other capture the real X11 screen (the capture
// reopens).
func TestScreenCaptureOnXvfb(t *testing.T) {
	t.Setenv("DISPLAY", xvfb.Start(t, xvfbWidth, xvfbHeight))
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

func TestScreenCaptureWithoutDisplay(t *testing.T) {
	t.Setenv("DISPLAY", "")
	_, err := New(Config{OnInput: func(protocol.InputEvent) {}})
	if !errors.Is(err, ErrNoScreen) {
		t.Fatalf("New without DISPLAY: %v, want ErrNoScreen", err)
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
