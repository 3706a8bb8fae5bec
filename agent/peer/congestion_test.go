package peer

import (
	"image"
	"io"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/pion/logging"
	"github.com/pion/transport/v4/vnet"
	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// noiseScreen is a VideoSource whose every frame differs everywhere (a few
// frames of noise in turn): it needs more bits than any link gives it.
type noiseScreen struct {
	tick      *time.Ticker
	done      chan struct{}
	closeOnce sync.Once
	frames    []*image.RGBA
	n         int
}

func newNoiseScreen(fps int) *noiseScreen {
	s := &noiseScreen{tick: time.NewTicker(time.Second / time.Duration(fps)), done: make(chan struct{})}
	r := rand.New(rand.NewPCG(1, 2))
	for range 7 {
		img := image.NewRGBA(image.Rect(0, 0, fakeWidth, fakeHeight))
		for i := range img.Pix {
			img.Pix[i] = uint8(r.Uint32())
		}
		s.frames = append(s.frames, img)
	}
	return s
}

func (s *noiseScreen) ID() string { return "noise-screen" }

func (s *noiseScreen) Close() error {
	s.closeOnce.Do(func() {
		s.tick.Stop()
		close(s.done)
	})
	return nil
}

func (s *noiseScreen) Read() (image.Image, func(), error) {
	select {
	case <-s.done:
		return nil, func() {}, io.EOF
	case <-s.tick.C:
	}
	s.n++
	return s.frames[s.n%len(s.frames)], func() {}, nil
}

// uplink is a virtual network (pion's vnet, in-process) on which the
// agent's packets to the browser pass a token bucket: the customer's upload.
type uplink struct {
	router  *vnet.Router
	agent   *vnet.Net
	browser *vnet.Net
	tbf     *vnet.TBFQueue
	queue   *vnet.Queue
}

// The uplink without a limit: 100 Mbit/s with a burst of 1 MB. (A small
// burst at a high rate needs a timer every packet or two, and on a busy
// machine timers run late: the bucket then fills its queue and drops.)
const (
	unlimited      = 100_000_000
	unlimitedBurst = 1 << 20
)

// limit sets the uplink's rate in bits per second, as a DSL modem's: a
// burst of two packets.
func (u *uplink) limit(bitRate int) {
	u.tbf.SetBurst(3000)
	u.tbf.SetRate(bitRate)
}

// lift removes the limit.
func (u *uplink) lift() {
	u.tbf.SetRate(unlimited)
	u.tbf.SetBurst(unlimitedBurst)
}

func newUplink(t *testing.T) *uplink {
	t.Helper()
	router, err := vnet.NewRouter(&vnet.RouterConfig{
		CIDR:          "203.0.113.0/24",
		MinDelay:      10 * time.Millisecond, // each way: 20 ms round trip
		LoggerFactory: logging.NewDefaultLoggerFactory(),
	})
	if err != nil {
		t.Fatal(err)
	}
	u := &uplink{router: router}
	if u.agent, err = vnet.NewNet(&vnet.NetConfig{StaticIPs: []string{"203.0.113.4"}}); err != nil {
		t.Fatal(err)
	}
	if u.browser, err = vnet.NewNet(&vnet.NetConfig{StaticIPs: []string{"203.0.113.5"}}); err != nil {
		t.Fatal(err)
	}
	// What reaches the browser waits in a DSL modem's queue: at most
	// 50 kB, 400 ms at 1 Mbit/s; beyond it packets are dropped.
	u.tbf = vnet.NewTBFQueue(unlimited, unlimitedBurst, 50_000)
	if u.queue, err = vnet.NewQueue(u.browser, u.tbf); err != nil {
		t.Fatal(err)
	}
	if err := router.AddNet(u.agent); err != nil {
		t.Fatal(err)
	}
	if err := router.AddNet(u.queue); err != nil {
		t.Fatal(err)
	}
	if err := router.Start(); err != nil {
		t.Fatal(err)
	}
	return u
}

func (u *uplink) close(t *testing.T) {
	t.Helper()
	if err := u.router.Stop(); err != nil {
		t.Errorf("router stop: %v", err)
	}
	if err := u.queue.Close(); err != nil {
		t.Errorf("queue close: %v", err)
	}
}

// waitTarget waits up to within for the agent's target bit rate to satisfy
// ok, and returns how long it took.
func waitTarget(t *testing.T, s *session, within time.Duration, what string, ok func(int) bool) time.Duration {
	t.Helper()
	start := time.Now()
	deadline := start.Add(within)
	for {
		target := int(s.peer.view.target.Load())
		if ok(target) {
			t.Logf("target %d kbit/s (estimate %d kbit/s) %v after %s; estimator: %v", target/1000, s.peer.cong.Estimate()/1000, time.Since(start).Round(10*time.Millisecond), what, s.peer.cong.EstimatorStats())
			return time.Since(start)
		}
		if time.Now().After(deadline) {
			t.Logf("estimator: %v", s.peer.cong.EstimatorStats())
			t.Fatalf("target still %d kbit/s (estimate %d kbit/s) %v after %s", target/1000, s.peer.cong.Estimate()/1000, within, what)
		}
		time.Sleep(50 * time.Millisecond) // polling a condition, with a deadline
	}
}

// waitFlowing waits until video flows to the browser and the estimate has
// had its first reports.
func waitFlowing(t *testing.T, s *session) {
	t.Helper()
	waitTarget(t, s, hangGuard, "connecting", func(b int) bool { return b > 0 })
	deadline := time.After(hangGuard)
	for n := 0; n < 100; n++ {
		select {
		case <-s.browser.packets:
		case <-deadline:
			t.Fatalf("only %d RTP packets within %v", n, hangGuard)
		}
	}
}

// Issue 17: the agent's encoder followed no bandwidth estimate: it sent its
// fixed 2.5 Mbit/s into a 1 Mbit/s uplink, and the modem's queue (and the
// technician's view) fell further and further behind. Now the send-side
// estimate (GCC over the browser's TWCC reports) sets the encoder's target:
// under a 1 Mbit/s limit it falls below 1 Mbit/s (issue 17: within 5 s),
// and comes back up once the limit is lifted (within 10 s). The test logs
// how long each took and fails only past generous bounds: on a starved CI
// machine the in-process network's delay grows with the CPU's, and the
// estimator rightly reads that as congestion.
func TestTargetBitRateFollowsUplinkLimit(t *testing.T) {
	u := newUplink(t)
	defer u.close(t)
	s := connectOn(t, Config{
		Source: newNoiseScreen(30),
		settings: func(se *webrtc.SettingEngine) {
			se.SetNet(u.agent)
			se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
		},
	}, 0, u.browser)
	defer s.close(t)
	waitState(t, s.states, webrtc.PeerConnectionStateConnected)

	waitFlowing(t, s)
	before := int(s.peer.view.target.Load())

	u.limit(1_000_000)
	fell := waitTarget(t, s, 20*time.Second, "the uplink was limited to 1 Mbit/s", func(b int) bool { return b < 1_000_000 })
	t.Logf("below 1 Mbit/s %v after the limit (goal 5 s)", fell)
	// The pacer kept frames from queueing: what it held stayed short.
	st := s.peer.cong.Pacer().Stats()
	t.Logf("pacer: %d packets, %d queued, longest wait %v", st.Packets, st.Queued, st.Max)

	u.lift()
	// Back up: the rate the encoder and pacer follow, not only the
	// encoder's ProbeGain above it.
	rose := waitTarget(t, s, 40*time.Second, "the limit was lifted", func(b int) bool {
		return b > 1_000_000 && s.peer.cong.Rate() > 1_000_000
	})
	t.Logf("back above 1 Mbit/s %v after the limit was lifted (goal 10 s)", rose)
	t.Logf("target before the limit: %d kbit/s", before/1000)
}

// Issue 17: after a deep fall (the estimate at its 100 kbit/s floor) the
// target climbed back at GCC's 8 % a second: half a minute to 1 Mbit/s
// once the limit was lifted. Now the rate leads the estimate back up while
// the link is clean (congestion.RecoverGain). The time is logged against
// the 10 s; the test fails only past a minute.
func TestTargetBitRateClimbsBackAfterADeepFall(t *testing.T) {
	u := newUplink(t)
	defer u.close(t)
	s := connectOn(t, Config{
		Source: newNoiseScreen(30),
		settings: func(se *webrtc.SettingEngine) {
			se.SetNet(u.agent)
			se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
		},
	}, 0, u.browser)
	defer s.close(t)
	waitState(t, s.states, webrtc.PeerConnectionStateConnected)
	waitFlowing(t, s)

	u.limit(300_000)
	waitTarget(t, s, time.Minute, "the uplink was limited to 300 kbit/s", func(int) bool { return s.peer.cong.Rate() < 400_000 })
	u.lift()
	rose := waitTarget(t, s, time.Minute, "the limit was lifted", func(b int) bool {
		return b > 1_000_000 && s.peer.cong.Rate() > 1_000_000
	})
	t.Logf("back above 1 Mbit/s %v after the limit was lifted (goal 10 s); GCC's own estimate %d kbit/s", rose, s.peer.cong.Estimate()/1000)
}

// linkMessages opens the console's view channel on b and returns the link
// messages the agent sends on it.
func linkMessages(t *testing.T, b *browser) <-chan protocol.Link {
	t.Helper()
	dc, err := b.pc.CreateDataChannel(protocol.ChannelView, nil)
	if err != nil {
		t.Fatal(err)
	}
	msgs := make(chan protocol.Link, 256)
	dc.OnMessage(func(msg webrtc.DataChannelMessage) {
		m, err := protocol.DecodeView(msg.Data)
		if err != nil {
			t.Errorf("the agent sent an invalid view message %s: %v", msg.Data, err)
			return
		}
		if m.Kind == protocol.ViewLink {
			select {
			case msgs <- *m.Link:
			default:
			}
		}
	})
	return msgs
}

// Issue 17: the pacer's queueing delay was measured nowhere but in a test.
// Now the console hears of the link every second (its live chart's step),
// with the longest wait of a packet in the agent's pacer: under a 1 Mbit/s
// uplink and a screen that needs more, packets do wait, and the console is
// told how long (the goal is under ~100 ms; frames are skipped beyond
// congestion.SkipDelay). The delays are logged, not asserted.
func TestConsoleHearsTheQueueingDelayEverySecond(t *testing.T) {
	u := newUplink(t)
	defer u.close(t)
	s := connectOn(t, Config{
		Source: newNoiseScreen(30),
		settings: func(se *webrtc.SettingEngine) {
			se.SetNet(u.agent)
			se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
		},
	}, 0, u.browser)
	defer s.close(t)
	links := linkMessages(t, s.browser)
	waitState(t, s.states, webrtc.PeerConnectionStateConnected)
	u.limit(1_000_000)

	var got []protocol.Link
	queued := false
	deadline := time.After(hangGuard)
	for len(got) < 8 || !queued {
		select {
		case l := <-links:
			got = append(got, l)
			queued = queued || l.QueueMs > 0
		case <-deadline:
			t.Fatalf("within %v the console heard %d link messages %+v; want 8 or more, one with a queueing delay", hangGuard, len(got), got)
		}
	}
	worst := 0
	for _, l := range got {
		worst = max(worst, l.QueueMs)
	}
	t.Logf("link messages under 1 Mbit/s: %+v; longest queueing delay %d ms", got, worst)
}
