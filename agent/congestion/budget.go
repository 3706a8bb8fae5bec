package congestion

import (
	"sync"
	"time"
)

// Bulk transfers (files) share the link with the screen and the input:
// input first (tiny, never limited), then video (the encoder follows the
// estimate), then files, which may take BulkShare of the estimate while it
// is below BulkFreeAbove. Sending more, they would fill the customer's
// router queue in front of the video's packets; the estimate (which reads
// that queue in the video's delays) then falls, and the files' share with
// it, until the queue drains: the screen and the transfer settle at about
// two to one. Above BulkFreeAbove the link is fast enough that the files
// go at SCTP's own pace.
const (
	BulkShare     = 0.5
	BulkFreeAbove = 8_000_000
)

// bulkWindow is how much of its rate a bulk transfer may have waiting in
// SCTP's send buffer (its bufferedAmount), and minBulkWindow the least.
const (
	bulkWindow    = 250 * time.Millisecond
	minBulkWindow = 64 << 10
)

// BulkRate returns the rate in bits per second that bulk transfers may use
// now; 0 means no limit.
func (c *Controller) BulkRate() int {
	est := c.Estimate()
	if est >= BulkFreeAbove {
		return 0
	}
	return int(BulkShare * float64(est))
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
