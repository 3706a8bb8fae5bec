package peer

import (
	"image"
	"image/draw"
	"log/slog"
	"sync"
	"time"

	"github.com/pion/mediadevices"
	"github.com/pion/mediadevices/pkg/codec"
	"github.com/pion/mediadevices/pkg/driver"
	"github.com/pion/mediadevices/pkg/io/video"
	"github.com/pion/webrtc/v4"

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
	// setBitRate applies a bit rate to the running encoder.
	setBitRate func(int) error
	// onMonitor is told the monitor streamed from now on.
	onMonitor func(protocol.Monitor)

	mu      sync.Mutex // guards the fields below
	quality protocol.Quality
	cur     int

	// Owned by the reader (the encoder's goroutine).
	last    time.Time
	buf     *image.RGBA
	grabbed *image.RGBA
	motion  motion
	halved  bool // the last frame was halved for motion
}

func newView(cfg *Config) *view {
	return &view{
		log:       cfg.Logger,
		auto:      preset{bitRate: cfg.BitRate, fps: cfg.FrameRate},
		monitors:  cfg.Monitors,
		grab:      cfg.Grab,
		onMonitor: cfg.OnMonitor,
		quality:   protocol.QualityAuto,
	}
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
	return protocol.ViewMessage{Kind: protocol.ViewState, Quality: v.quality, Monitor: v.cur, Monitors: mons}
}

// setQuality switches to preset q at once: the bit rate on the encoder, the
// frame rate, size and colour on the next frame.
func (v *view) setQuality(q protocol.Quality) {
	v.mu.Lock()
	v.quality = q
	v.mu.Unlock()
	if v.setBitRate != nil {
		if err := v.setBitRate(v.preset(q).bitRate); err != nil {
			v.log.Warn("peer: set bit rate", "quality", q, "err", err)
		}
	}
	v.log.Info("peer: video quality", "quality", q)
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
	dc.OnOpen(send)
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

			// Frame rate: let a frame through once its interval has
			// (nearly) passed; the capture's own ticks set the phase.
			now := time.Now()
			if p.fps > 0 && now.Sub(v.last) < time.Duration(float64(time.Second)/p.fps*0.9) {
				release()
				continue
			}
			v.last = now

			src, crop := img, img.Bounds()
			if mon != nil && mon.Screen != 0 && v.grab != nil {
				g, err := v.grab(*mon, v.grabbed)
				if err != nil {
					v.log.Warn("peer: grab monitor", "err", err)
				} else {
					v.grabbed = g
					src, crop = g, g.Bounds()
				}
			} else if mon != nil {
				crop = image.Rect(mon.X, mon.Y, mon.X+mon.W, mon.Y+mon.H).Intersect(img.Bounds())
				if crop.Empty() {
					crop = img.Bounds()
				}
			}
			if rgba, ok := src.(*image.RGBA); ok && !fixed {
				fast := v.motion.fast(rgba, crop)
				if fast != v.halved {
					v.log.Debug("peer: fast motion", "half", fast)
					v.halved = fast
				}
				p.half = p.half || fast
			}
			out := v.shape(src, crop, p)
			if out == img {
				return img, release, nil
			}
			release()
			return out, func() {}, nil
		}
	})
}

// shape returns the crop of src, halved and in grayscale as p says; src itself
// when nothing changes. The result is reused by the next call.
func (v *view) shape(src image.Image, crop image.Rectangle, p preset) image.Image {
	if crop == src.Bounds() && !p.half && !p.gray {
		return src
	}
	step := 1
	if p.half {
		step = 2
	}
	// Even sizes: the encoder subsamples colour by two.
	w, h := (crop.Dx()/step)&^1, (crop.Dy()/step)&^1
	if w < 2 || h < 2 {
		return src
	}
	rgba, ok := src.(*image.RGBA)
	if !ok {
		c := image.NewRGBA(crop)
		draw.Draw(c, crop, src, crop.Min, draw.Src)
		rgba = c
	}
	if v.buf == nil || v.buf.Rect.Dx() != w || v.buf.Rect.Dy() != h {
		v.buf = image.NewRGBA(image.Rect(0, 0, w, h))
	}
	dst := v.buf
	for y := 0; y < h; y++ {
		si := rgba.PixOffset(crop.Min.X, crop.Min.Y+y*step)
		di := y * dst.Stride
		if step == 1 && !p.gray {
			copy(dst.Pix[di:di+4*w], rgba.Pix[si:si+4*w])
			continue
		}
		if step == 2 {
			halveRow(dst.Pix[di:di+4*w], rgba.Pix[si:si+8*w], rgba.Pix[si+rgba.Stride:si+rgba.Stride+8*w], p.gray)
			continue
		}
		for x := 0; x < w; x++ {
			px := rgba.Pix[si+4*x*step : si+4*x*step+4]
			d := dst.Pix[di+4*x : di+4*x+4]
			if p.gray {
				// ITU-R BT.601 luma.
				l := uint8((299*uint32(px[0]) + 587*uint32(px[1]) + 114*uint32(px[2])) / 1000)
				d[0], d[1], d[2], d[3] = l, l, l, 0xff
			} else {
				copy(d, px)
			}
		}
	}
	return dst
}

// halveRow writes into dst (w RGBA pixels) the average of each 2×2 block of
// the rows a and b (2w pixels each), in grey if gray. Averaging, rather than
// taking every other pixel, keeps text legible and lets a picture that moves
// by an odd number of pixels still look like itself moved (by half a pixel,
// which VP8's motion search finds); the blocky alternative flickers and is
// coded afresh every frame.
func halveRow(dst, a, b []byte, gray bool) {
	for x, i := 0, 0; i+3 < len(dst); x, i = x+8, i+4 {
		r := (uint32(a[x]) + uint32(a[x+4]) + uint32(b[x]) + uint32(b[x+4]) + 2) / 4
		g := (uint32(a[x+1]) + uint32(a[x+5]) + uint32(b[x+1]) + uint32(b[x+5]) + 2) / 4
		bl := (uint32(a[x+2]) + uint32(a[x+6]) + uint32(b[x+2]) + uint32(b[x+6]) + 2) / 4
		if gray {
			// ITU-R BT.601 luma.
			l := (299*r + 587*g + 114*bl) / 1000
			r, g, bl = l, l, l
		}
		dst[i], dst[i+1], dst[i+2], dst[i+3] = uint8(r), uint8(g), uint8(bl), 0xff
	}
}

// screenZero returns the device ID mediadevices gave X screen 0, or "".
func screenZero() string {
	for _, d := range mediadevices.EnumerateDevices() {
		if d.DeviceType == driver.Screen && d.Label == "X11Screen0" {
			return d.DeviceID
		}
	}
	return ""
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
