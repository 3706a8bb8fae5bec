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
