package peer

import (
	"image"
	"io"
	"sync"

	"github.com/pion/mediadevices/pkg/codec"
	"github.com/pion/mediadevices/pkg/io/video"
	"github.com/pion/mediadevices/pkg/prop"
)

// resizable wraps a video encoder builder so that a change of frame size
// (another monitor, a quality preset at half size) builds a fresh encoder for
// the new size. mediadevices v0.10.0's VP8 encoder re-initialises itself in
// place on a new size and corrupts the Go heap doing so; a fresh encoder
// also starts with the keyframe the browser needs at a new size.
type resizable struct{ codec.VideoEncoderBuilder }

// BuildVideoEncoder returns an encoder that builds its inner encoder at the
// first frame, and again whenever the frame size changes.
func (b resizable) BuildVideoEncoder(r video.Reader, p prop.Media) (codec.ReadCloser, error) {
	return &resizingEncoder{b: b.VideoEncoderBuilder, r: r, p: p}, nil
}

type resizingEncoder struct {
	b codec.VideoEncoderBuilder
	r video.Reader
	p prop.Media

	mu      sync.Mutex // guards the fields below
	inner   codec.ReadCloser
	size    image.Point
	bitRate int // last SetBitRate, 0 if none
	closed  bool
	feed    feed
}

// feed hands one frame, already read, to an inner encoder.
type feed struct {
	img     image.Image
	release func()
}

func (f *feed) Read() (image.Image, func(), error) {
	img, release := f.img, f.release
	f.img, f.release = nil, nil
	if img == nil {
		return nil, func() {}, io.EOF
	}
	return img, release, nil
}

func (e *resizingEncoder) Read() ([]byte, func(), error) {
	img, release, err := e.r.Read()
	if err != nil {
		return nil, func() {}, err
	}
	size := img.Bounds().Size()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		release()
		return nil, func() {}, io.EOF
	}
	if e.inner == nil || size != e.size {
		if e.inner != nil {
			_ = e.inner.Close()
			e.inner = nil
		}
		p := e.p
		p.Width, p.Height = size.X, size.Y
		inner, err := e.b.BuildVideoEncoder(video.ReaderFunc(e.feed.Read), p)
		if err != nil {
			release()
			return nil, func() {}, err
		}
		if c, ok := inner.Controller().(codec.BitRateController); ok && e.bitRate > 0 {
			_ = c.SetBitRate(e.bitRate)
		}
		e.inner, e.size = inner, size
	}
	e.feed = feed{img: img, release: release}
	return e.inner.Read()
}

func (e *resizingEncoder) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.closed = true
	if e.inner == nil {
		return nil
	}
	err := e.inner.Close()
	e.inner = nil
	return err
}

// Controller returns the encoder itself: it passes bit rate and keyframe
// requests on to the current inner encoder.
func (e *resizingEncoder) Controller() codec.EncoderController { return e }

// SetBitRate sets the bit rate of this and every later inner encoder.
func (e *resizingEncoder) SetBitRate(bps int) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.bitRate = bps
	if c, ok := e.innerController().(codec.BitRateController); ok {
		return c.SetBitRate(bps)
	}
	return nil
}

// ForceKeyFrame asks the current inner encoder for a keyframe (a new one
// starts with one anyway).
func (e *resizingEncoder) ForceKeyFrame() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if c, ok := e.innerController().(codec.KeyFrameController); ok {
		return c.ForceKeyFrame()
	}
	return nil
}

func (e *resizingEncoder) innerController() codec.EncoderController {
	if e.inner == nil {
		return nil
	}
	return e.inner.Controller()
}
