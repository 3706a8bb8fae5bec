package peer

import (
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/transport/v4/vnet"
	"github.com/pion/webrtc/v4"
)

// lossy drops a share of the agent's UDP packets to the browser on u while
// on, counting them.
type lossy struct {
	mu      sync.Mutex
	rnd     *rand.Rand
	on      bool
	share   float64
	dropped atomic.Int64
}

func (u *uplink) lossy(share float64) *lossy {
	l := &lossy{rnd: rand.New(rand.NewPCG(17, 5)), share: share}
	agent := net.ParseIP("203.0.113.4")
	u.router.AddChunkFilter(func(c vnet.Chunk) bool {
		a, ok := c.SourceAddr().(*net.UDPAddr)
		if !ok || !a.IP.Equal(agent) {
			return true
		}
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.on && l.rnd.Float64() < l.share {
			l.dropped.Add(1)
			return false
		}
		return true
	})
	return l
}

func (l *lossy) set(on bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.on = on
}

// Issue 17: a packet lost on the way came back (pion's NACK responder
// answered the browser's NACK) on the video's own stream, as the agent
// offered no RTX. Now it answers RTX (RFC 4588), so the retransmissions go
// on a stream of their own, which the browser tells from late originals:
// with 5 % of the agent's packets dropped, the browser (pion's, with
// Chrome's NACK generator) gets retransmissions on the RTX stream and
// almost every hole in the video's sequence is filled.
func TestLostPacketsComeBackOnTheRTXStream(t *testing.T) {
	u := newUplink(t)
	defer u.close(t)
	loss := u.lossy(0.05)
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

	// The video's sequence numbers, extended past 65535, as they arrive.
	got := map[int]bool{}
	high, started := 0, false
	rtx, keyframes, originals := 0, 0, 0
	// take reads n packets. The deadline is long: the 5 % loss (and a busy
	// machine's delays) may bring the estimate, and the packet rate, down.
	take := func(n int) {
		t.Helper()
		deadline := time.After(3 * hangGuard)
		for range n {
			select {
			case p := <-s.browser.packets:
				if !started {
					high, started = int(p.seq), true
				}
				ext := high + int(int16(p.seq-uint16(high)))
				high = max(high, ext)
				got[ext] = true
				if p.rtx {
					rtx++
				} else {
					originals++
				}
				if p.keyframe && !p.rtx {
					keyframes++
				}
			case <-deadline:
				t.Fatalf("the browser got too few packets within %v", 3*hangGuard)
			}
		}
	}
	take(10) // the sequence's start
	low := high
	loss.set(true)
	take(1000)
	lossyHigh := high
	loss.set(false)
	take(300) // the last retransmissions come in
	holes := 0
	for seq := low; seq <= lossyHigh; seq++ {
		if !got[seq] {
			holes++
		}
	}
	sent := lossyHigh - low + 1
	t.Logf("%d packets of the video sent while lossy, %d of the agent's packets dropped; %d retransmissions on the RTX stream; %d never came; %d keyframes",
		sent, loss.dropped.Load(), rtx, holes, keyframes)
	if rtx == 0 {
		t.Fatalf("no retransmission on the RTX stream (%d of the agent's packets dropped)", loss.dropped.Load())
	}
	if holes*100 > sent {
		t.Errorf("%d of %d of the video's packets never came; want under 1 %%", holes, sent)
	}
}
