package congestion

import (
	"sync"
	"time"
)

// Bulk transfers (files) share the link with the screen and the input:
// input first (tiny, never limited), then video (the encoder follows the
// estimate), then files, which take what the video leaves of the estimate,
// and at least BulkShare of it. With a screen that wants all of it, the
// files' BulkShare on top fills the customer's router queue a little; the
// estimate (which reads that queue in the video's delays) falls, and the
// files' share with it, until it drains: the screen and the transfer settle
// at about two to one.
//
// Only while the link is known to be slow: the estimate is below
// BulkFreeAbove and fell within the last BulkHold. (With 8 Mbit/s and 10 s,
// a 200 MB loopback transfer with the screen moving, on a machine at load
// 30, went at 0.8 MB/s where the other direction went at 3.0: the
// estimate also falls for the delays a busy CPU adds.) The estimate measures
// the video alone, so it says nothing of a fast link whose screen is still
// (it stays at its start), and files held to it would never find out that
// there is more room; after BulkHold without a fall they go at SCTP's pace
// again, until they fill a queue and the estimate falls.
const (
	BulkShare     = 0.5
	BulkFreeAbove = 4_000_000
	BulkHold      = 5 * time.Second
)

// videoWindow is the least time over which BulkRate measures the video's
// own rate.
const videoWindow = 500 * time.Millisecond

// Of a bulk transfer's rate, bulkWindow may wait in SCTP's send buffer (its
// bufferedAmount; at least minBulkWindow), and a message carries bulkChunk
// (at least minBulkChunk): on a slow link a 64 KiB message let out at once
// would hold the video's packets behind it in the router's queue.
const (
	bulkWindow    = 250 * time.Millisecond
	minBulkWindow = 64 << 10
	bulkChunk     = 20 * time.Millisecond
	minBulkChunk  = 4 << 10
)

// BulkRate returns the rate in bits per second that bulk transfers may use
// now; 0 means no limit.
func (c *Controller) BulkRate() int {
	c.mu.Lock()
	est, slow := c.estimate, c.cut && time.Since(c.lastDown) < BulkHold
	c.mu.Unlock()
	if !slow || est >= BulkFreeAbove {
		return 0
	}
	return max(est-c.videoRate(), int(BulkShare*float64(est)))
}

// videoRate is what the video sent, in bits per second, over the last
// videoWindow or more.
func (c *Controller) videoRate() int {
	now, sent := time.Now(), c.pacer.Sent()
	c.mu.Lock()
	defer c.mu.Unlock()
	if d := now.Sub(c.videoAt); d >= videoWindow {
		if !c.videoAt.IsZero() {
			c.videoBps = int(float64(sent-c.videoSent) * 8 / d.Seconds())
		}
		c.videoAt, c.videoSent = now, sent
	}
	return c.videoBps
}

// Budget paces a bulk transfer to a rate that may change at any time (a
// token bucket with a deficit, as the Pacer's: a message goes while the
// bucket is not empty, and its size is paid off before the next).
type Budget struct {
	rate func() int       // bits per second; 0: no limit
	now  func() time.Time // time.Now, or a test's clock

	mu     sync.Mutex // guards below
	tokens float64    // bytes; negative: a deficit
	last   time.Time
}

// NewBudget returns a Budget following rate (bits per second, 0 for no
// limit); a nil rate never limits.
func NewBudget(rate func() int) *Budget {
	return &Budget{rate: rate, now: time.Now}
}

// burst is what the bucket holds at most: 100 ms at the rate.
func burst(bytesPerSec float64) float64 { return bytesPerSec / 10 }

// Take returns how long to wait before n more bytes may go; when it returns
// 0 they are counted as sent.
func (b *Budget) Take(n int) time.Duration {
	r := 0
	if b.rate != nil {
		r = b.rate()
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	if r <= 0 {
		b.tokens, b.last = 0, now
		return 0
	}
	bps := float64(r) / 8
	if b.last.IsZero() {
		b.tokens = burst(bps)
	} else if d := now.Sub(b.last); d > 0 {
		b.tokens = min(b.tokens+d.Seconds()*bps, burst(bps))
	}
	b.last = now
	if b.tokens > 0 {
		b.tokens -= float64(n)
		return 0
	}
	return max(time.Duration(-b.tokens/bps*float64(time.Second)), time.Millisecond)
}

// Chunk returns how many bytes a message should carry: bulkChunk at the
// rate (at least minBulkChunk), at most limit; limit when there is no limit.
func (b *Budget) Chunk(limit int) int {
	if b.rate == nil {
		return limit
	}
	r := b.rate()
	if r <= 0 {
		return limit
	}
	return min(max(int(float64(r)/8*bulkChunk.Seconds()), minBulkChunk), limit)
}

// Window returns how many bytes a transfer may keep in SCTP's send buffer:
// bulkWindow at the rate (at least minBulkWindow), at most limit; limit
// when there is no limit.
func (b *Budget) Window(limit int) int {
	if b.rate == nil {
		return limit
	}
	r := b.rate()
	if r <= 0 {
		return limit
	}
	return min(max(int(float64(r)/8*bulkWindow.Seconds()), minBulkWindow), limit)
}
