package peer

import (
	"fmt"
	"image"
	"io"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/agent/screen"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// failingScreen is the fake screen whose capture fails, as agent/screen's
// does while the workstation is locked, until it is told to recover.
type failingScreen struct {
	*fakeScreen
	fail atomic.Pointer[error]
}

func (s *failingScreen) Read() (image.Image, func(), error) {
	if err := s.fail.Load(); err != nil {
		select { // paced as the capture is
		case <-s.done:
			return nil, func() {}, io.EOF
		case <-s.tick.C:
		}
		return nil, func() {}, *err
	}
	return s.fakeScreen.Read()
}

// viewMessages opens the console's view channel on b and returns the
// screen messages the agent sends on it.
func viewMessages(t *testing.T, b *browser) <-chan protocol.ViewMessage {
	t.Helper()
	dc, err := b.pc.CreateDataChannel(protocol.ChannelView, nil)
	if err != nil {
		t.Fatal(err)
	}
	msgs := make(chan protocol.ViewMessage, 16)
	dc.OnMessage(func(msg webrtc.DataChannelMessage) {
		m, err := protocol.DecodeView(msg.Data)
		if err != nil {
			t.Errorf("the agent sent an invalid view message %s: %v", msg.Data, err)
			return
		}
		if m.Kind == protocol.ViewScreen {
			msgs <- m
		}
	})
	return msgs
}

// waitScreen waits for a screen message saying want.
func waitScreen(t *testing.T, msgs <-chan protocol.ViewMessage, want protocol.Blocked) {
	t.Helper()
	select {
	case m := <-msgs:
		if m.Blocked != want {
			t.Fatalf("the console was told the screen is %q, want %q", m.Blocked, want)
		}
	case <-time.After(hangGuard):
		t.Fatalf("the console was not told the screen is %q within %v", want, hangGuard)
	}
}

// waitPacketsAfter waits until video packets sent after `after` have kept
// arriving: one later than after+span (the track still sends).
func waitPacketsAfter(t *testing.T, s *session, after time.Time, span time.Duration, what string) {
	t.Helper()
	deadline := time.After(hangGuard)
	for {
		select {
		case pkt := <-s.browser.packets:
			if pkt.at.After(after.Add(span)) {
				return
			}
		case <-deadline:
			t.Fatalf("%s: no video packet more than %v after %v (the track ended: a frozen frame)", what, span, after.Format(time.StampMilli))
		}
	}
}

// A capture that fails (here: the workstation locked) keeps the video track
// going with a still picture, and the console's view channel says why; once
// the screen can be read again the console hears it and the screen's frames
// flow. Before, the capture's error ended mediadevices' track for good: the
// console showed the last frame, frozen, and nothing said why.
func TestCaptureFailureKeepsVideoAndTellsConsoleWhy(t *testing.T) {
	src := &failingScreen{fakeScreen: newFakeScreen(30)}
	s := connect(t, Config{Source: src})
	defer s.close(t)
	msgs := viewMessages(t, s.browser)
	waitState(t, s.states, webrtc.PeerConnectionStateConnected)
	checkVideo(t, s)

	locked := fmt.Errorf("%w (BitBlt: access denied)", screen.ErrLocked)
	src.fail.Store(&locked)
	failed := time.Now()
	waitScreen(t, msgs, protocol.BlockedLocked)
	// Past the encoder's refinement of the still picture: its idle refreshes.
	waitPacketsAfter(t, s, failed, 1500*time.Millisecond, "while the screen cannot be read")

	src.fail.Store(nil)
	back := time.Now()
	waitScreen(t, msgs, "")
	waitPacketsAfter(t, s, back, 200*time.Millisecond, "after the screen came back")
}

// A console that opens its view channel while the screen cannot be read is
// told at once.
func TestConsoleOpeningWhileBlockedIsTold(t *testing.T) {
	src := &failingScreen{fakeScreen: newFakeScreen(30)}
	secure := fmt.Errorf("%w (BitBlt: access denied)", screen.ErrSecureDesktop)
	src.fail.Store(&secure)
	s := connect(t, Config{Source: src})
	defer s.close(t)
	waitState(t, s.states, webrtc.PeerConnectionStateConnected)
	msgs := viewMessages(t, s.browser)
	waitScreen(t, msgs, protocol.BlockedSecure)
	waitPacketsAfter(t, s, time.Now(), 200*time.Millisecond, "while the secure desktop is shown")
}
