package screen

import (
	"image"
	"time"
)

// Size is the size of the frames Read gives now.
func (c *Capture) Size() image.Point {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.frame.Rect.Size()
}

// SetInterval sets the least time between the last capture's turn and the
// next, from now on: the frame rate may change frame by frame (small changes
// go out faster than large ones: see agent/peer).
func (c *Capture) SetInterval(d time.Duration) {
	if d <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.next = c.next.Add(d - c.interval)
	c.interval = d
}

// waitTurn sleeps until the next capture time: the frame rate's pace,
// counted from the last Read when it came late.
func (c *Capture) waitTurn() {
	c.mu.Lock()
	next := c.next
	c.mu.Unlock()
	if wait := time.Until(next); wait > 0 {
		time.Sleep(wait)
	}
}

// advance sets the capture time after this one and returns now. c.mu must
// be held.
func (c *Capture) advance() time.Time {
	now := time.Now()
	c.next = c.next.Add(c.interval)
	if c.next.Before(now) {
		c.next = now.Add(c.interval)
	}
	return now
}
