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
	rtx, keyframes, originals, taken := 0, 0, 0, 0
	read := func(p *rtpInfo) {
		if !started {
			high, started = int(p.seq), true
		}
		ext := high + int(int16(p.seq-uint16(high)))
		high = max(high, ext)
		got[ext] = true
		taken++
		if p.rtx {
			rtx++
		} else {
			originals++
		}
		if p.keyframe && !p.rtx {
			keyframes++
		}
	}
	// take reads packets until done says enough. The deadline is long: the
	// 5 % loss (and a busy machine's delays) may bring the estimate, and the
	// packet rate, down.
	take := func(what string, done func() bool) {
		t.Helper()
		deadline := time.After(3 * hangGuard)
		for !done() {
			select {
			case p := <-s.browser.packets:
				read(p)
			case <-deadline:
				t.Fatalf("within %v the browser got %d packets and %d of the agent's were dropped; wanted %s",
					3*hangGuard, taken, loss.dropped.Load(), what)
			}
		}
	}
	packets := func(n int) func() bool {
		from := taken
		return func() bool { return taken-from >= n }
	}
	take("10 packets", packets(10)) // the sequence's start
	// What waits in the browser's buffer was sent before the loss: read it
	// now, or the lossy part would be that (the buffer holds seconds of
	// video on a busy machine) and see no loss at all.
	for drained := false; !drained; {
		select {
		case p := <-s.browser.packets:
			read(p)
		default:
			drained = true
		}
	}
	low := high
	missed := s.browser.missed.Load()
	loss.set(true)
	// 1000 packets sent while lossy, and enough of them lost to tell.
	lossy := packets(1000)
	take("1000 packets and 30 drops", func() bool { return lossy() && loss.dropped.Load() >= 30 })
	lossyHigh := high
	loss.set(false)
	take("300 packets more", packets(300)) // the last retransmissions come in
	holes := 0
	for seq := low; seq <= lossyHigh; seq++ {
		if !got[seq] {
			holes++
		}
	}
	// Packets the test's own buffer dropped (it was full) are holes that
	// are the test's, not the agent's.
	missed = s.browser.missed.Load() - missed
	sent := lossyHigh - low + 1
	t.Logf("%d packets of the video sent while lossy, %d of the agent's packets dropped; %d retransmissions on the RTX stream; %d never came (%d lost by the test's buffer); %d keyframes",
		sent, loss.dropped.Load(), rtx, holes, missed, keyframes)
	if rtx == 0 {
		t.Fatalf("no retransmission on the RTX stream (%d of the agent's packets dropped)", loss.dropped.Load())
	}
	if (holes-int(missed))*100 > sent {
		t.Errorf("%d of %d of the video's packets never came (%d lost by the test's buffer); want under 1 %%", holes, sent, missed)
	}
}
