package congestion

import (
	"fmt"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/interceptor/pkg/cc"
	"github.com/pion/interceptor/pkg/gcc"
)

// Estimate bounds, in bits per second.
const (
	MinBitRate = 100_000
	MaxBitRate = 30_000_000
)

// SkipDelay is the longest the pacer's queue may be for a new frame to be
// encoded: beyond it frames are skipped, so the screen the technician sees
// is never more than about this (plus a frame's own sending time) behind.
const SkipDelay = 60 * time.Millisecond

// Probing: GCC raises its estimate only a little at a time near the rate at
// which it last found the link full, while the encoder sends no more than
// the estimate, so the estimate stays where it was long after a slow spell
// ends (the encoder follows it: nothing tells GCC there is more room). As
// libwebrtc probes with padding, the encoder here aims ProbeGain above the
// estimate once ProbeAfter went by without a decrease: if the link has room
// the estimate climbs at GCC's fast rate, and if not GCC sees the queue and
// decreases, and probing waits again.
const (
	ProbeAfter = 2 * time.Second
	ProbeGain  = 1.1
)

// Limits is what the estimate allows the encoder.
type Limits struct {
	// BitRate is the encoder's target, in bits per second.
	BitRate int
	// FPS caps the frame rate; 0 means no cap.
	FPS float64
	// LowRes asks for half resolution whenever the screen moves, whatever
	// its size (the Auto preset otherwise halves only large screens).
	LowRes bool
}

// fpsSteps are the frame rate caps below estimates (bits per second): a
// screen stream at a low rate is better few sharp frames than many blurred
// ones that each take longer to send than their interval.
var fpsSteps = []struct {
	below int
	fps   float64
}{
	{300_000, 5},
	{600_000, 10},
	{1_200_000, 15},
}

// lowResBelow is the estimate under which moving pictures go at half
// resolution on any screen.
const lowResBelow = 1_500_000

// LimitsFor returns what an estimate of bitRate bits per second allows.
func LimitsFor(bitRate int) Limits {
	l := Limits{BitRate: bitRate, LowRes: bitRate < lowResBelow}
	for _, s := range fpsSteps {
		if bitRate < s.below {
			l.FPS = s.fps
			break
		}
	}
	return l
}

// Controller runs the send-side bandwidth estimate of one PeerConnection
// and its pacer. Register adds both to pion's interceptor chain; the video
// reader asks Skip before each frame and Limits for what to encode.
type Controller struct {
	log      *slog.Logger
	initial  int
	pacer    *Pacer
	onChange func(Limits)

	mu       sync.Mutex // guards below
	bwe      cc.BandwidthEstimator
	estimate int       // GCC's
	rate     int       // what the encoder and pacer follow: estimate, or a lead over it
	rec      recovery  // the lead (see RecoverGain)
	lastDown time.Time // when the estimate last decreased
	flight   flight    // packets sent that no report covered yet (see BlindAfter)
	cap      int       // while GCC is or was blind: the most the rate may be; 0: none
	capAt    time.Time // of the cap's last step
	cut      bool      // the estimate decreased at least once: the link is known
	skipped  int       // frames skipped since the last log
	lastLog  time.Time
	// The video's own rate (see videoRate): bytes the pacer had sent at
	// videoAt, and the rate measured then.
	videoAt   time.Time
	videoSent int64
	videoBps  int

	done      chan struct{} // closed by Close: ends recoverLoop
	closeOnce sync.Once
	wg        sync.WaitGroup
}

// New returns a Controller whose estimate starts at initial bits per second.
// onChange, if set, is told new Limits whenever the estimate changes, on a
// goroutine of pion's; it must not block.
func New(log *slog.Logger, initial int, onChange func(Limits)) *Controller {
	initial = min(max(initial, MinBitRate), MaxBitRate)
	c := &Controller{log: log, initial: initial, estimate: initial, rate: initial, lastDown: time.Now(), pacer: NewPacer(initial), onChange: onChange, done: make(chan struct{})}
	c.wg.Add(1)
	go c.recoverLoop()
	return c
}

// recoverLoop steps the lead over the estimate every recoverEvery, until
// Close.
func (c *Controller) recoverLoop() {
	defer c.wg.Done()
	t := time.NewTicker(recoverEvery)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
			c.update()
		}
	}
}

// Register adds the bandwidth estimator (with the Controller's pacer) to
// ir. The media engine must offer transport-wide congestion control
// (webrtc.ConfigureTWCCHeaderExtensionSender, registered after this, stamps
// the sequence numbers the estimate needs). Build one PeerConnection per
// Controller from it.
func (c *Controller) Register(ir *interceptor.Registry) error {
	// First, so that it sees packets as the pacer sends them.
	ir.Add(flightFactory{&c.flight})
	f, err := cc.NewInterceptor(func() (cc.BandwidthEstimator, error) {
		return gcc.NewSendSideBWE(
			gcc.SendSideBWEInitialBitrate(c.initial),
			gcc.SendSideBWEMinBitrate(MinBitRate),
			gcc.SendSideBWEMaxBitrate(MaxBitRate),
			gcc.SendSideBWEPacer(gccPacer{c.pacer}),
		)
	})
	if err != nil {
		return fmt.Errorf("congestion: %w", err)
	}
	f.OnNewPeerConnection(func(_ string, e cc.BandwidthEstimator) {
		c.mu.Lock()
		c.bwe = e
		c.mu.Unlock()
		e.OnTargetBitrateChange(func(int) { c.update() })
	})
	ir.Add(f)
	return nil
}

// gccPacer is the Controller's Pacer as GCC sees it: GCC sets the pacing
// rate to its own estimate, the Controller to the rate it leads (update).
type gccPacer struct{ *Pacer }

func (gccPacer) SetTargetBitrate(int) {}

// update takes the estimator's latest estimate (pion reports each change on
// a goroutine of its own, so they may arrive out of order).
func (c *Controller) update() {
	c.mu.Lock()
	if c.bwe == nil {
		c.mu.Unlock()
		return
	}
	est := c.bwe.GetTargetBitrate()
	old, oldRate := c.estimate, c.rate
	c.estimate = est
	if est < old {
		c.lastDown, c.cut = time.Now(), true
	}
	now := time.Now()
	c.rate = c.capLocked(now, c.rec.step(now, signalsOf(est, c.bwe.GetStats()), old), est)
	rate := c.rate
	c.mu.Unlock()
	if rate == oldRate {
		return
	}
	c.pacer.SetTargetBitrate(rate)
	if significant(old, est) {
		c.log.Debug("congestion: bandwidth estimate", "kbps", est/1000, "was", old/1000, "rate_kbps", rate/1000)
	}
	if rate > est && significant(oldRate, rate) {
		c.log.Debug("congestion: leading the estimate back up", "kbps", rate/1000, "estimate_kbps", est/1000)
	}
	if c.onChange != nil {
		c.onChange(c.Limits())
	}
}

// capLocked returns rate under the cap GCC's blindness sets (see
// BlindAfter), stepping the cap at now; est is GCC's estimate. c.mu must be
// held.
func (c *Controller) capLocked(now time.Time, rate, est int) int {
	blind := c.flight.unacked() > BlindAfter
	switch {
	case blind && c.cap == 0:
		c.cap, c.capAt = max(rate/2, MinBitRate), now
		c.log.Debug("congestion: the estimate hears no feedback it can read; capping the rate", "unacked", c.flight.unacked(), "kbps", c.cap/1000, "estimate_kbps", est/1000)
	case blind:
		if now.Sub(c.capAt) >= recoverEvery {
			c.cap, c.capAt = max(c.cap/2, MinBitRate), now
		}
	case c.cap != 0:
		d := min(now.Sub(c.capAt), maxRecoverStep)
		c.cap, c.capAt = int(float64(c.cap)*math.Pow(RecoverGain, d.Seconds())), now
		if c.cap >= est {
			c.cap = 0
			c.log.Debug("congestion: the estimate hears the link again; cap lifted", "estimate_kbps", est/1000)
		}
	}
	if c.cap != 0 {
		return min(rate, c.cap)
	}
	return rate
}

// signalsOf reads GCC's stats (its GetStats) with its estimate est.
func signalsOf(est int, stats map[string]any) signals {
	loss, _ := stats["averageLoss"].(float64)
	delay, ok := stats["delayTargetBitrate"].(int)
	if !ok {
		delay = est
	}
	return signals{est: est, delay: delay, overuse: stats["usage"] == "overuse", loss: loss}
}

// significant reports whether a change of estimate is worth a log line.
func significant(old, est int) bool {
	return est*10 < old*9 || est*10 > old*11
}

// Estimate returns GCC's current bandwidth estimate in bits per second.
func (c *Controller) Estimate() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.estimate
}

// Rate returns the rate the encoder and the pacer follow, in bits per
// second: the estimate, or above it while leading it back up after a fall
// (see RecoverGain).
func (c *Controller) Rate() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rate
}

// Limits returns what the current estimate allows, with the encoder's
// target raised by ProbeGain while probing (see ProbeAfter).
func (c *Controller) Limits() Limits {
	c.mu.Lock()
	est, probe := c.rate, time.Since(c.lastDown) >= ProbeAfter
	c.mu.Unlock()
	l := LimitsFor(est)
	if probe {
		l.BitRate = int(float64(est) * ProbeGain)
	}
	return l
}

// Skip reports whether the next frame should be skipped: the pacer still
// holds more than SkipDelay of packets. A skipped frame costs nothing; a
// queued one would make every later frame late.
func (c *Controller) Skip() bool {
	if c.pacer.Delay() <= SkipDelay {
		return false
	}
	c.mu.Lock()
	c.skipped++
	if time.Since(c.lastLog) >= 5*time.Second {
		c.log.Debug("congestion: skipping frames; the network is slower than the screen", "skipped", c.skipped, "kbps", c.estimate/1000)
		c.skipped, c.lastLog = 0, time.Now()
	}
	c.mu.Unlock()
	return true
}

// Pacer returns the Controller's pacer (its queue and delay statistics).
func (c *Controller) Pacer() *Pacer { return c.pacer }

// Close stops the pacer and the lead's steps. pion closes the estimator
// with its PeerConnection. It is idempotent.
func (c *Controller) Close() error {
	c.closeOnce.Do(func() { close(c.done) })
	c.wg.Wait()
	return c.pacer.Close()
}

// EstimatorStats returns the estimator's internals (loss and delay
// estimates, their state), nil before the PeerConnection is made.
func (c *Controller) EstimatorStats() map[string]any {
	c.mu.Lock()
	bwe := c.bwe
	c.mu.Unlock()
	if bwe == nil {
		return nil
	}
	return bwe.GetStats()
}
