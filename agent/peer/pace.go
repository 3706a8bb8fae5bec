package peer

import "time"

// Small changes go out faster than large ones. A change that touches a
// small part of the screen (a cursor, a letter typed, a progress bar, a
// clock) is cheap to capture, convert and encode (the encoder codes only
// the blocks that changed), so it may follow the last frame at smallFPS; a
// large one (scrolling, a window dragged) keeps the frame rate's cap, where
// each frame costs the encoder tens of milliseconds.
const (
	// smallShare is the most of the picture a small change covers.
	smallShare = 0.10
	// smallFPS is the most frames per second small changes go out at.
	smallFPS = 60.0
)

// captureInterval returns the least time from this frame's capture to the
// next: 1/smallFPS when this frame changed at most smallShare of the picture
// (changed, 0 to 1) and the stream runs at its full frame rate (fps, what
// the preset and the network allow now, is full's) on a link that is not
// the limit (constrained: the estimate is below the preset's bit rate, or
// frames are being skipped for the network), 1/full otherwise.
func captureInterval(changed, fps, full float64, constrained bool) time.Duration {
	rate := full
	if changed <= smallShare && fps >= full && !constrained {
		rate = max(full, smallFPS)
	}
	return time.Duration(float64(time.Second) / rate)
}
