package peer

import (
	"syscall"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/agent/screen"
	"github.com/lifeline-support/lifeline/e2e/xvfb"
)

// A small change 60 times a second on a still 1080p screen (a counter of
// 600×40 pixels) streams: frames keep coming while it changes. It reports,
// without checking them, the frames a second that arrive and the CPU this
// process (the agent's capture, conversion and encoder, and the test's
// receiver) uses: the cost of sending small changes faster than 30 fps.
func TestSmallChangesOnXvfb(t *testing.T) {
	t.Setenv("DISPLAY", xvfb.Start(t, 1920, 1080))
	d, err := screen.WatchDamage(nil) // before any other X connection
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	s := connect(t, Config{Changes: d.Subscribe})
	defer s.close(t)
	waitState(t, s.states, webrtc.PeerConnectionStateConnected)
	checkVideo(t, s)

	conn, err := xgb.NewConn()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	root := xproto.Setup(conn).DefaultScreen(conn)
	gc, err := xproto.NewGcontextId(conn)
	if err != nil {
		t.Fatal(err)
	}
	if err := xproto.CreateGCChecked(conn, gc, xproto.Drawable(root.Root), xproto.GcSubwindowMode, []uint32{xproto.SubwindowModeIncludeInferiors}).Check(); err != nil {
		t.Fatal(err)
	}
	drawn := make(chan struct{})
	stop := make(chan struct{})
	go func() { // the counter, on the root window
		defer close(drawn)
		tick := time.NewTicker(time.Second / 60)
		defer tick.Stop()
		for i := uint32(0); ; i++ {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			xproto.ChangeGC(conn, gc, xproto.GcForeground, []uint32{i * 0x010101 & 0xffffff})
			xproto.PolyFillRectangle(conn, xproto.Drawable(root.Root), gc, []xproto.Rectangle{{X: 16, Y: 1080 - 44, Width: 600, Height: 40}})
			_, _ = xproto.GetInputFocus(conn).Reply()
		}
	}()
	defer func() { close(stop); <-drawn }()

	countFrames := func(window time.Duration) (int, time.Duration) {
		frames := map[uint32]bool{}
		cpu0 := cpuTime()
		end := time.After(window)
		for {
			select {
			case pkt := <-s.browser.packets:
				frames[pkt.ts] = true
			case <-end:
				return len(frames), cpuTime() - cpu0
			}
		}
	}
	countFrames(time.Second) // settle
	const window = 4 * time.Second
	n, cpu := countFrames(window)
	if n == 0 {
		t.Fatal("no frame arrived while the counter changed")
	}
	t.Logf("a small change 60 times a second on a still 1080p screen: %.1f frames/s, %.3f cores (this process)",
		float64(n)/window.Seconds(), cpu.Seconds()/window.Seconds())
}

// cpuTime is the user and system CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
