package peer

import (
	"errors"
	"image"
	"io"
	"sync"
	"time"

	"github.com/pion/mediadevices"
	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/agent/screen"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// blockedInterval is the time between still pictures while the screen
// cannot be read: the encoder refines the first few, then sends an idle
// refresh now and then, so the video stays up at little cost.
const blockedInterval = 100 * time.Millisecond

// blockedGrey is the luma of the still picture shown while the screen
// cannot be read: a neutral dark grey, unlike any frozen frame.
const blockedGrey = 0x40

// defaultBlockedSize is the still picture's size when no frame was ever read.
var defaultBlockedSize = image.Rect(0, 0, 1280, 720)

// blockedSource keeps the video going while the screen cannot be read (a
// locked workstation, a UAC prompt's secure desktop, an X screen that
// cannot be captured): a failed Read, which would end mediadevices' track
// for good (a frozen frame in the console), becomes a still grey picture of
// the last frame's size, every blockedInterval, and the view tells the
// console why (protocol.ViewScreen). The first frame read again clears it.
// The end of the source (io.EOF) passes through.
type blockedSource struct {
	mediadevices.VideoSource
	view *view
	done <-chan struct{} // closed when the Peer stops

	// Owned by the reader (the encoder's goroutine).
	size    image.Rectangle
	grey    *image.YCbCr
	failing bool
}

func newBlockedSource(src mediadevices.VideoSource, v *view, done <-chan struct{}, first image.Point) *blockedSource {
	s := &blockedSource{VideoSource: src, view: v, done: done, size: defaultBlockedSize}
	if first.X > 0 && first.Y > 0 {
		s.size = image.Rectangle{Max: first}
	}
	return s
}

func (s *blockedSource) Read() (image.Image, func(), error) {
	img, release, err := s.VideoSource.Read()
	if err == nil {
		if img != nil {
			s.size = img.Bounds()
		}
		if s.failing {
			s.failing = false
			s.view.setBlocked("", nil)
		}
		return img, release, nil
	}
	if errors.Is(err, io.EOF) {
		return img, release, err
	}
	s.failing = true
	s.view.setBlocked(blockedOf(err), err)
	t := time.NewTimer(blockedInterval)
	defer t.Stop()
	select {
	case <-t.C:
	case <-s.done:
		return nil, func() {}, io.EOF
	}
	return s.still(), func() {}, nil
}

// still returns the grey picture, I420 as the encoder takes it.
func (s *blockedSource) still() image.Image {
	if s.grey == nil || s.grey.Rect != s.size {
		s.grey = image.NewYCbCr(s.size, image.YCbCrSubsampleRatio420)
		for i := range s.grey.Y {
			s.grey.Y[i] = blockedGrey
		}
		for i := range s.grey.Cb {
			s.grey.Cb[i], s.grey.Cr[i] = 128, 128
		}
	}
	return s.grey
}

// blockedOf says, for the console, why a capture failed.
func blockedOf(err error) protocol.Blocked {
	switch {
	case errors.Is(err, screen.ErrLocked):
		return protocol.BlockedLocked
	case errors.Is(err, screen.ErrSecureDesktop):
		return protocol.BlockedSecure
	}
	return protocol.BlockedUnreadable
}

// screenState is what the view channel last told the console of the
// screen, and where to tell it. Guarded by view.mu, but for sending.
type screenState struct {
	sending sync.Mutex // held through each send, so the last sent is the latest

	dc   *webrtc.DataChannel // the open view channel, nil before
	cur  protocol.Blocked    // why the screen cannot be read now ("": it can)
	sent protocol.Blocked    // what the console was last told
}

// setBlocked records why the screen cannot be read ("" when it can again,
// err the capture's error) and has the console told when that is news.
func (v *view) setBlocked(b protocol.Blocked, err error) {
	v.mu.Lock()
	news := v.screen.cur != b
	v.screen.cur = b
	tell := news && v.screen.dc != nil
	v.mu.Unlock()
	if !news {
		return
	}
	if b != "" {
		v.log.Warn("peer: the screen cannot be read; sending a still picture", "why", b, "err", err)
	} else {
		v.log.Info("peer: the screen can be read again")
	}
	if tell && v.later != nil {
		v.later(v.sendScreen)
	}
}

// sendScreen tells the console why the screen cannot be read, if that is
// news.
func (v *view) sendScreen() {
	v.screen.sending.Lock()
	defer v.screen.sending.Unlock()
	v.mu.Lock()
	dc, cur := v.screen.dc, v.screen.cur
	if dc == nil || cur == v.screen.sent {
		v.mu.Unlock()
		return
	}
	v.screen.sent = cur
	v.mu.Unlock()
	b, err := protocol.EncodeView(protocol.ViewMessage{Kind: protocol.ViewScreen, Blocked: cur})
	if err == nil {
		err = dc.SendText(string(b))
	}
	if err != nil {
		v.log.Debug("peer: send screen state", "err", err)
	}
}

// openScreen starts telling the console of the screen on dc: at once if it
// cannot be read now (a console assumes it can).
func (v *view) openScreen(dc *webrtc.DataChannel) {
	v.mu.Lock()
	v.screen.dc, v.screen.sent = dc, ""
	v.mu.Unlock()
	v.sendScreen()
}
