// Package congestion keeps the agent's screen stream within what the
// customer's network carries: a send-side bandwidth estimate (pion's GCC,
// fed by the browser's transport-wide congestion control reports) sets the
// encoder's bit rate, frame rate and resolution, and a pacer with a short
// queue spreads the packets out; frames are skipped, never queued, while
// that queue is long.
package congestion

import (
	"sync"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/rtp"
)

// Pacing, as libwebrtc does it: packets leave at PacingFactor times the
// estimate, so a frame goes out in a fraction of its interval, with a burst
// of up to BurstTime at that rate (and at least MinBurst bytes) sent at once.
const (
	PacingFactor = 2.5
	BurstTime    = 20 * time.Millisecond
	MinBurst     = 6000 // bytes: four full packets
)

// Pacer sends RTP packets at a rate set from the bandwidth estimate. It
// implements pion's gcc.Pacer. While its queue is empty and the bucket
// holds tokens, a packet goes out at once on the caller's goroutine (no
// latency added on a fast network); otherwise it waits its turn in the
// queue, sent by the Pacer's own goroutine.
//
// The queue is not bounded by the Pacer: the video reader asks Delay before
// each frame and skips the frame while the queue is longer than it should
// be (see Controller.Skip), so the queue holds at most about one frame.
type Pacer struct {
	mu      sync.Mutex // guards everything below
	rate    float64    // bytes per second
	burst   float64    // bytes
	tokens  float64    // bytes; negative: a deficit to pay off
	last    time.Time  // of the last refill
	queue   []packet
	queued  int  // bytes in queue
	sending bool // the run goroutine is writing a packet
	writers map[uint32]interceptor.RTPWriter
	closed  bool
	stats   DelayStats
	sent    int64 // payload bytes sent, ever

	wake chan struct{}
	done chan struct{}
	wg   sync.WaitGroup
}

type packet struct {
	header  rtp.Header
	payload []byte
	attr    interceptor.Attributes
	at      time.Time
}

// DelayStats sums up how long packets waited in the Pacer.
type DelayStats struct {
	Packets int           // packets sent
	Queued  int           // of which waited in the queue
	Max     time.Duration // longest wait
	Total   time.Duration // sum of the waits
}

// NewPacer returns a Pacer for an estimate of bitRate bits per second. Close
// stops it.
func NewPacer(bitRate int) *Pacer {
	p := &Pacer{
		writers: map[uint32]interceptor.RTPWriter{},
		last:    time.Now(),
		wake:    make(chan struct{}, 1),
		done:    make(chan struct{}),
	}
	p.setRate(bitRate)
	p.tokens = p.burst
	p.wg.Add(1)
	go p.run()
	return p
}

// setRate sets the rate for an estimate of bitRate. p.mu is held or p is new.
func (p *Pacer) setRate(bitRate int) {
	p.rate = PacingFactor * float64(bitRate) / 8
	p.burst = max(p.rate*BurstTime.Seconds(), MinBurst)
}

// SetTargetBitrate sets the bandwidth estimate, in bits per second, that the
// pacing rate follows.
func (p *Pacer) SetTargetBitrate(bitRate int) {
	p.mu.Lock()
	p.refill(time.Now())
	p.setRate(bitRate)
	p.mu.Unlock()
	p.poke()
}

// AddStream registers where packets of ssrc go.
func (p *Pacer) AddStream(ssrc uint32, w interceptor.RTPWriter) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.writers[ssrc] = w
}

// Delay is how long a packet written now would wait before it is sent.
func (p *Pacer) Delay() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refill(time.Now())
	return p.wait(p.queued)
}

// Stats returns the waits of the packets sent since the last call, and
// starts counting afresh.
func (p *Pacer) Stats() DelayStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.stats
	p.stats = DelayStats{}
	return s
}

// Sent returns the payload bytes the Pacer has sent since it was made.
func (p *Pacer) Sent() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sent
}

// wait is how long until n more bytes than the bucket holds could go.
// p.mu is held.
func (p *Pacer) wait(n int) time.Duration {
	need := float64(n) - p.tokens
	if need <= 0 || p.rate <= 0 {
		return 0
	}
	return time.Duration(need / p.rate * float64(time.Second))
}

// refill adds the tokens earned since the last refill. p.mu is held.
func (p *Pacer) refill(now time.Time) {
	if d := now.Sub(p.last); d > 0 {
		p.tokens = min(p.tokens+d.Seconds()*p.rate, p.burst)
		p.last = now
	}
}

// Write sends the packet now if nothing waits and the bucket allows it, and
// queues it otherwise.
func (p *Pacer) Write(h *rtp.Header, payload []byte, attr interceptor.Attributes) (int, error) {
	now := time.Now()
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return 0, ErrClosed
	}
	p.refill(now)
	if len(p.queue) == 0 && !p.sending && p.tokens > 0 {
		w, ok := p.writers[h.SSRC]
		p.tokens -= float64(len(payload))
		p.stats.Packets++
		p.sent += int64(len(payload))
		p.mu.Unlock()
		if !ok {
			return 0, ErrUnknownStream
		}
		return w.Write(h, payload, attr)
	}
	p.queue = append(p.queue, packet{header: h.Clone(), payload: append([]byte(nil), payload...), attr: attr, at: now})
	p.queued += len(payload)
	p.mu.Unlock()
	p.poke()
	return h.MarshalSize() + len(payload), nil
}

func (p *Pacer) poke() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// run sends the queued packets as the bucket allows.
func (p *Pacer) run() {
	defer p.wg.Done()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		p.mu.Lock()
		now := time.Now()
		p.refill(now)
		var next time.Duration
		var pkt packet
		var w interceptor.RTPWriter
		switch {
		case len(p.queue) == 0:
			next = time.Hour
		case p.tokens <= 0:
			next = max(p.wait(1), time.Millisecond)
		default:
			pkt = p.queue[0]
			p.queue[0] = packet{}
			p.queue = p.queue[1:]
			p.queued -= len(pkt.payload)
			p.tokens -= float64(len(pkt.payload))
			w = p.writers[pkt.header.SSRC]
			p.sending = true
			waited := now.Sub(pkt.at)
			p.stats.Packets++
			p.stats.Queued++
			p.sent += int64(len(pkt.payload))
			p.stats.Total += waited
			p.stats.Max = max(p.stats.Max, waited)
		}
		p.mu.Unlock()
		if next == 0 {
			if w != nil {
				_, _ = w.Write(&pkt.header, pkt.payload, pkt.attr) // a lost packet is the network's business: the browser asks again (NACK)
			}
			p.mu.Lock()
			p.sending = false
			p.mu.Unlock()
			continue
		}
		timer.Reset(next)
		select {
		case <-p.done:
			return
		case <-p.wake:
		case <-timer.C:
		}
	}
}

// Close stops the Pacer; queued packets are dropped. It is idempotent.
func (p *Pacer) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	p.queue, p.queued = nil, 0
	p.mu.Unlock()
	close(p.done)
	p.wg.Wait()
	return nil
}
