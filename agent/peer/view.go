package peer

import (
	"image"
	"image/draw"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/mediadevices/pkg/codec"
	"github.com/pion/mediadevices/pkg/io/video"
	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/agent/congestion"
	"github.com/lifeline-support/lifeline/agent/encode"
	"github.com/lifeline-support/lifeline/agent/input"
	"github.com/lifeline-support/lifeline/agent/screen"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// preset is what a quality preset changes in the stream.
type preset struct {
	bitRate int     // bits per second
	fps     float64 // most frames per second sent
	half    bool    // half resolution
	gray    bool    // grayscale
}

// presets are the technician's quality choices; auto is the Config's rate.
var presets = map[protocol.Quality]preset{
	protocol.QualityHigh:   {bitRate: 6_000_000, fps: 30},
	protocol.QualityMedium: {bitRate: 1_200_000, fps: 15},
	protocol.QualityLow:    {bitRate: 250_000, fps: 8, half: true, gray: true},
}

// GrabFunc captures monitor m of an X screen other than the one the Peer's
// capture reads (multi-screen X displays). It may reuse dst.
type GrabFunc func(m protocol.Monitor, dst *image.RGBA) (*image.RGBA, error)

// view shapes the captured frames for the technician's view settings: which
// monitor (a crop of the captured screen, or another X screen through grab),
// at what frame rate, size and colour. It also answers the view data channel.
type view struct {
	log      *slog.Logger
	auto     preset
	monitors []protocol.Monitor
	grab     GrabFunc
	// mask paints the customer's private windows in grabbed frames.
	mask MaskFunc
	// setBitRate applies a bit rate to the running encoder.
	setBitRate func(int) error
	// limits, if set, is what the bandwidth estimate allows; skip, if set,
	// says to drop the next frame because the network is behind.
	limits func() congestion.Limits
	skip   func() bool
	// pace, if set, sets the least time from the capture just read to the
	// next (the screen capture's SetInterval): see captureInterval.
	pace func(time.Duration)
	// target is the bit rate last set on the encoder (bits per second).
	target atomic.Int64
	// onMonitor is told the monitor streamed from now on.
	onMonitor func(protocol.Monitor)
	// later, if set, runs a send on the Peer's notify goroutine.
	later func(func())

	mu      sync.Mutex // guards the fields below
	quality protocol.Quality
	cur     int
	link    linkState
	screen  screenState

	// Owned by the reader (the encoder's goroutine).
	last     time.Time
	buf      *image.YCbCr // the last picture shape made
	bufSeq   uint64       // of the capture numbered this (0: not a capture)
	bufShape encode.Shape
	grabbed  *image.RGBA
	motion   motion
	halved   bool // the last frame was halved for motion
}

func newView(cfg *Config) *view {
	v := &view{
		log:       cfg.Logger,
		auto:      preset{bitRate: cfg.BitRate, fps: cfg.FrameRate},
		monitors:  cfg.Monitors,
		grab:      cfg.Grab,
		mask:      cfg.Mask,
		onMonitor: cfg.OnMonitor,
		quality:   protocol.QualityAuto,
	}
	// The picture of the first monitor, made now: a new one (its memory
	// faulted in on first use) cost 30–60 ms of the first frame after Allow.
	if len(cfg.Monitors) > 0 {
		m := cfg.Monitors[0]
		if size := (encode.Shape{Crop: image.Rect(0, 0, m.W, m.H)}).Size(); size.X >= 2 && size.Y >= 2 {
			v.buf = image.NewYCbCr(image.Rectangle{Max: size}, image.YCbCrSubsampleRatio420)
		}
	}
	return v
}

func (v *view) preset(q protocol.Quality) preset {
	if p, ok := presets[q]; ok {
		return p
	}
	return v.auto
}

// state returns the message that tells the console the current settings.
func (v *view) state() protocol.ViewMessage {
	v.mu.Lock()
	defer v.mu.Unlock()
	mons := v.monitors
	if len(mons) == 0 {
		mons = []protocol.Monitor{{W: 1, H: 1}} // unknown: the whole capture
	}
	return protocol.ViewMessage{Kind: protocol.ViewState, Quality: v.quality, Monitor: v.cur, Monitors: mons, NoCtrlAltDel: !input.TakesCtrlAltDel}
}

// setQuality switches to preset q at once: the bit rate on the encoder, the
// frame rate, size and colour on the next frame.
func (v *view) setQuality(q protocol.Quality) {
	v.mu.Lock()
	v.quality = q
	v.mu.Unlock()
	if err := v.applyBitRate(); err != nil {
		v.log.Warn("peer: set bit rate", "quality", q, "err", err)
	}
	v.log.Info("peer: video quality", "quality", q)
}

// applyBitRate sets the encoder's target: the preset's, or less when the
// bandwidth estimate is lower.
func (v *view) applyBitRate() error {
	if v.setBitRate == nil {
		return nil
	}
	v.mu.Lock()
	b := v.preset(v.quality).bitRate
	v.mu.Unlock()
	if v.limits != nil {
		if l := v.limits(); l.BitRate > 0 {
			b = min(b, l.BitRate)
		}
	}
	if err := v.setBitRate(b); err != nil {
		return err
	}
	v.target.Store(int64(b))
	return nil
}

// setMonitor streams monitor i from the next frame on. It reports false when
// there is no such monitor.
func (v *view) setMonitor(i int) bool {
	v.mu.Lock()
	if i < 0 || i >= len(v.monitors) || (v.monitors[i].Screen != 0 && v.grab == nil) {
		v.mu.Unlock()
		return false
	}
	v.cur = i
	m := v.monitors[i]
	v.mu.Unlock()
	v.log.Info("peer: streaming monitor", "monitor", i, "screen", m.Screen, "x", m.X, "y", m.Y, "w", m.W, "h", m.H)
	if v.onMonitor != nil {
		v.onMonitor(m)
	}
	return true
}

// attach serves the view data channel: it answers every request with the
// resulting state.
func (v *view) attach(dc *webrtc.DataChannel) {
	send := func() {
		b, err := protocol.EncodeView(v.state())
		if err == nil {
			err = dc.SendText(string(b))
		}
		if err != nil {
			v.log.Warn("peer: send view state", "err", err)
		}
	}
	dc.OnOpen(func() {
		send()
		v.openLink(dc)
		v.openScreen(dc)
	})
	dc.OnMessage(func(msg webrtc.DataChannelMessage) {
		m, err := protocol.DecodeView(msg.Data)
		if err != nil {
			v.log.Warn("peer: dropping invalid view message", "size", len(msg.Data), "err", err)
			return
		}
		switch m.Kind {
		case protocol.ViewQuality:
			v.setQuality(m.Quality)
		case protocol.ViewMonitor:
			if !v.setMonitor(m.Monitor) {
				v.log.Warn("peer: no such monitor", "monitor", m.Monitor)
			}
		default:
			v.log.Warn("peer: unexpected view message", "kind", m.Kind)
			return
		}
		send()
	})
}

// reader applies the view settings to the frames of r.
func (v *view) reader(r video.Reader) video.Reader {
	return video.ReaderFunc(func() (image.Image, func(), error) {
		for {
			img, release, err := r.Read()
			if err != nil || img == nil {
				return img, release, err
			}
			v.mu.Lock()
			p := v.preset(v.quality)
			_, fixed := presets[v.quality] // only auto adapts the size to motion
			var mon *protocol.Monitor
			if v.cur < len(v.monitors) {
				m := v.monitors[v.cur]
				mon = &m
			}
			v.mu.Unlock()

			var lim congestion.Limits
			if v.limits != nil {
				lim = v.limits()
			}
			if lim.FPS > 0 && (p.fps <= 0 || lim.FPS < p.fps) {
				p.fps = lim.FPS
			}

			// The network is behind: skip this frame rather than queue it
			// (the next one shows the screen as it is then).
			drop := v.skip != nil && v.skip()
			// Frame rate: below the capture's, let a frame through once its
			// interval has (nearly) passed; the capture's own ticks set the
			// phase. At the capture's rate every frame goes: the capture
			// keeps its beat after a late frame by taking the next one
			// early, which this would drop.
			now := time.Now()
			if !drop && p.fps > 0 && p.fps < v.auto.fps && now.Sub(v.last) < time.Duration(float64(time.Second)/p.fps*0.9) {
				drop = true
			}

			src, crop := img, img.Bounds()
			grabbed := mon != nil && mon.Screen != 0 && v.grab != nil
			if mon != nil && !grabbed {
				crop = image.Rect(mon.X, mon.Y, mon.X+mon.W, mon.Y+mon.H).Intersect(img.Bounds())
				if crop.Empty() {
					crop = img.Bounds()
				}
			}
			px, ok := pixelsOf(src)
			// Motion is the screen's, not the stream's: every frame of this
			// screen is looked at, also those dropped here. Otherwise two
			// changes a second apart (the picture at Allow, the indicator's
			// frame recoloured at "in control"), with the frames between
			// them skipped, look like two moving frames in a row. Another
			// X screen is grabbed for the frames sent only.
			changed := 1.0 // unknown: a large change
			if ok && !fixed && !grabbed {
				p.half = p.half || v.moving(px, crop, lim)
				changed = v.motion.changed
			}
			if v.pace != nil {
				constrained := drop || (lim.BitRate > 0 && lim.BitRate < p.bitRate)
				v.pace(captureInterval(changed, p.fps, v.auto.fps, constrained))
			}
			if drop {
				release()
				continue
			}
			v.last = now

			if grabbed {
				g, err := v.grab(*mon, v.grabbed)
				if err != nil {
					v.log.Warn("peer: grab monitor", "err", err)
				} else {
					// Masked before anything reads it, as the capture's
					// frames are.
					if v.mask != nil {
						v.mask(mon.Screen, g.Pix, g.Stride, g.Rect.Sub(g.Rect.Min).Add(image.Pt(mon.X, mon.Y)))
					}
					v.grabbed = g
					src, crop = g, g.Bounds()
				}
				px, ok = pixelsOf(src)
				if ok && !fixed {
					p.half = p.half || v.moving(px, crop, lim)
				}
			}
			out := v.shape(src, px, ok, encode.Shape{Crop: crop, Half: p.half, Gray: p.gray})
			if out == img {
				return img, release, nil
			}
			release()
			return out, func() {}, nil
		}
	})
}

// moving tells whether the screen moves fast (see motion), with what the
// bandwidth estimate allows: a slow network halves any moving screen.
func (v *view) moving(px encode.Pixels, crop image.Rectangle, lim congestion.Limits) bool {
	v.motion.minArea = 0
	if lim.LowRes {
		v.motion.minArea = 1
	}
	fast := v.motion.fast(px, crop)
	if fast != v.halved {
		v.log.Debug("peer: fast motion", "half", fast)
		v.halved = fast
	}
	return fast
}

// pixelsOf gives the pixels of the pictures the view converts itself: the
// screen capture's and image.RGBA (other X screens, test sources).
func pixelsOf(img image.Image) (encode.Pixels, bool) {
	switch m := img.(type) {
	case *screen.Frame:
		return encode.Pixels{Pix: m.Pix, Stride: m.Stride, Rect: m.Rect, BGR: true}, true
	case *image.RGBA:
		return encode.Pixels{Pix: m.Pix, Stride: m.Stride, Rect: m.Rect}, true
	}
	return encode.Pixels{}, false
}

// shape returns the picture to encode: the crop of src, halved and in grey
// as s says, as I420 in one pass (the encoder then takes it as it is). The
// result is reused by the next call. A picture of another kind (a test
// source's I420) goes through whole and unchanged when nothing is asked of
// it, and is drawn as RGBA first otherwise.
func (v *view) shape(src image.Image, px encode.Pixels, ok bool, s encode.Shape) image.Image {
	if !ok {
		if s.Crop == src.Bounds() && !s.Half && !s.Gray {
			return src
		}
		c := image.NewRGBA(src.Bounds())
		draw.Draw(c, c.Rect, src, c.Rect.Min, draw.Src)
		px, _ = pixelsOf(c)
	}
	// The still-screen reader hands out the same capture again while
	// nothing is drawn: its conversion is still in buf.
	f, capture := src.(*screen.Frame)
	if capture && v.buf != nil && f.Seq == v.bufSeq && s == v.bufShape {
		return v.buf
	}
	out := encode.ToI420(v.buf, px, s)
	if out == nil { // too small to convert (or an empty crop)
		return src
	}
	v.buf, v.bufSeq, v.bufShape = out, 0, s
	if capture {
		v.bufSeq = f.Seq
	}
	return out
}

// encoderBitRate returns a function that sets the bit rate of t's running
// encoder, if it has one that supports it.
func encoderBitRate(t *videoTrack) func(int) error {
	return func(bps int) error {
		c, ok := t.Track.EncoderController().(codec.BitRateController)
		if !ok {
			return ErrNoBitRateControl
		}
		return c.SetBitRate(bps)
	}
}
