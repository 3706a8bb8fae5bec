package peer

import (
	"image"
	"time"

	"github.com/pion/mediadevices/pkg/io/video"
)

// ChangesFunc subscribes to news that something was drawn on the screen: the
// channel receives after each drawing (at most one value pending) and stop
// ends the subscription. agent/screen's Damage provides it.
type ChangesFunc func() (changes <-chan struct{}, stop func())

const (
	// stillSettle is how long after the last drawing frames keep coming at
	// the full rate (the encoder sharpens the new picture with them).
	stillSettle = 500 * time.Millisecond
	// stillWait is the longest a still screen goes without a frame, so that
	// the encoder's idle refreshes keep their pace.
	stillWait = time.Second
	// stillMaxAge is the longest the screen goes without a real capture, in
	// case some drawing went unreported: one capture every three seconds.
	stillMaxAge = 3 * time.Second
)

// stillReader spares the capture of a screen on which nothing was drawn: it
// hands out the last captured frame again until changes says otherwise, at
// the frame rate for stillSettle after a drawing, then every stillWait, and
// captures anyway once the last capture is stillMaxAge old. A closed changes
// means the news stopped: every frame is captured. r must be the screen
// capture's reader, whose frames need no release and stay valid until its
// next Read.
//
// A value on fresh asks for a new capture at once, as a drawing does: video
// turned on after a spell of black frames shows the screen as it is now
// (waiting for the next refresh held the first picture back by up to a
// second).
func stillReader(r video.Reader, changes, fresh <-chan struct{}, fps float64) video.Reader {
	return stillReaderOn(wallClock{}, r, changes, fresh, fps)
}

// stillClock is the time stillReader goes by: the wall clock, or a test's.
type stillClock interface {
	Now() time.Time
	// After is time.After: a channel that receives once d has passed.
	After(d time.Duration) <-chan time.Time
}

type wallClock struct{}

func (wallClock) Now() time.Time                         { return time.Now() }
func (wallClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// stillReaderOn is stillReader going by clock.
func stillReaderOn(clock stillClock, r video.Reader, changes, fresh <-chan struct{}, fps float64) video.Reader {
	interval := time.Duration(float64(time.Second) / fps)
	var last image.Image
	var drawn, captured time.Time // the last capture after a drawing, the last of all
	return video.ReaderFunc(func() (image.Image, func(), error) {
		isFresh := last == nil || pending(changes) || pending(fresh)
		if !isFresh && clock.Now().Sub(captured) < stillMaxAge {
			wait := stillWait
			if clock.Now().Sub(drawn) < stillSettle {
				wait = interval
			}
			select {
			case <-changes: // something was drawn: capture it now
				isFresh = true
			case <-fresh:
				isFresh = true
			case <-clock.After(wait):
				return last, func() {}, nil
			}
		}
		img, release, err := r.Read()
		if err == nil && img != nil {
			last, captured = img, clock.Now()
			if isFresh {
				drawn = captured
			}
		}
		return img, release, err
	})
}

// pending takes a pending value from ch, if there is one.
func pending(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
