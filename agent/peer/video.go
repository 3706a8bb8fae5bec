package peer

import (
	"errors"
	"fmt"
	"image"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/mediadevices"
	"github.com/pion/mediadevices/pkg/io/video"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/agent/encode"
	"github.com/lifeline-support/lifeline/agent/screen"
)

// Video defaults, used when the Config leaves them zero.
const (
	DefaultBitRate   = 2_500_000 // bits per second
	DefaultFrameRate = 30.0      // frames per second
)

// vp8Codec is the only video codec the agent offers. The RTCP feedback lines make
// the browser send NACKs (answered by pion's NACK responder), PLIs (answered with a
// keyframe by mediadevices) and transport-wide congestion control reports.
var vp8Codec = webrtc.RTPCodecParameters{
	RTPCodecCapability: webrtc.RTPCodecCapability{
		MimeType:  webrtc.MimeTypeVP8,
		ClockRate: 90000,
		RTCPFeedback: []webrtc.RTCPFeedback{
			{Type: webrtc.TypeRTCPFBTransportCC},
			{Type: webrtc.TypeRTCPFBCCM, Parameter: "fir"},
			{Type: webrtc.TypeRTCPFBNACK},
			{Type: webrtc.TypeRTCPFBNACK, Parameter: "pli"},
		},
	},
	PayloadType: 96,
}

// rtxCodec carries the retransmissions of lost VP8 packets on a stream of
// their own (RFC 4588): pion's NACK responder sends them there once the
// browser accepts it (Chrome and Firefox offer it), and the browser tells
// them from late originals. Without it they went on the video's own stream.
var rtxCodec = webrtc.RTPCodecParameters{
	RTPCodecCapability: webrtc.RTPCodecCapability{
		MimeType:    webrtc.MimeTypeRTX,
		ClockRate:   90000,
		SDPFmtpLine: "apt=96",
	},
	PayloadType: 97,
}

// vp8Encoder returns the agent's VP8 encoder settings (see agent/encode):
// realtime, keyframes only when the browser asks (PLI/FIR), nothing sent
// while the screen does not change, and a new libvpx context whenever the
// frame size changes (monitor switch, quality preset).
func vp8Encoder(bitRate int) *encode.VP8 {
	p := encode.DefaultVP8
	p.BitRate = bitRate
	return &p
}

// MaskFunc paints over parts of a 32-bit frame (BGRX or RGBA) of X screen
// screen, bounds in that screen's coordinates, in place (agent/privacy's
// MaskScreen). It reports whether what it painted differs from what it
// painted in the screen's last frame.
type MaskFunc func(screen int, pix []byte, stride int, bounds image.Rectangle) (changed bool)

// captureSource is X screen 0 (all of it: monitors of screen 0 are crops,
// made by the view) as a mediadevices video source. Its frames are the
// capture's shared memory, valid until the next Read, masked (the
// customer's private windows) before anything else reads them.
type captureSource struct {
	c    *screen.Capture
	mask MaskFunc
}

func (s *captureSource) ID() string   { return "x11-screen-0" }
func (s *captureSource) Close() error { return s.c.Close() }
func (s *captureSource) Read() (image.Image, func(), error) {
	f, err := s.c.Read()
	if errors.Is(err, screen.ErrClosed) {
		return nil, func() {}, io.EOF
	}
	if err != nil {
		return nil, func() {}, err
	}
	// A capture equal to the last keeps its Seq (Windows), and the view
	// then reuses its conversion: a mask that changed (a window hidden on a
	// still screen) makes it a new picture.
	if s.mask != nil && s.mask(0, f.Pix, f.Stride, f.Rect) {
		f.Seq++
	}
	return f, func() {}, nil
}

// newVideoTrack opens the screen (or cfg.Source) as a VP8-encoding track. It
// shapes frames for the view settings v and records each frame's size in w and h.
func newVideoTrack(cfg *Config, w, h *atomic.Int32, g *gate, v *view) (*videoTrack, error) {
	selector := mediadevices.NewCodecSelector(mediadevices.WithVideoEncoders(vp8Encoder(cfg.BitRate)))

	src := cfg.Source
	if src == nil {
		c, err := screen.OpenCapture(0, cfg.FrameRate, cfg.Logger)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrNoScreen, err)
		}
		src = &captureSource{c, cfg.Mask}
		v.pace = c.SetInterval
	}
	var first image.Point // the whole of X screen 0, if known
	if len(cfg.Monitors) > 0 && cfg.Monitors[0].Screen == 0 {
		first = image.Pt(cfg.Monitors[0].W, cfg.Monitors[0].H)
	}
	// A capture that fails shows a still picture rather than ending the track.
	track := mediadevices.NewVideoTrack(newBlockedSource(src, v, g.done, first), selector)
	vt := &videoTrack{Track: track}
	if t, ok := track.(*mediadevices.VideoTrack); ok {
		t.Transform(func(r video.Reader) video.Reader {
			if cfg.Source == nil && cfg.Changes != nil {
				var changes <-chan struct{}
				changes, vt.stop = cfg.Changes()
				r = stillReader(r, changes, g.fresh, cfg.FrameRate)
			}
			var size image.Point // what the first frame will be: the whole of X screen 0
			if len(cfg.Monitors) > 0 && cfg.Monitors[0].Screen == 0 {
				size = image.Pt(cfg.Monitors[0].W, cfg.Monitors[0].H)
			}
			return gatedReader(v.reader(r), w, h, g, size)
		})
	}
	return vt, nil
}

// videoTrack adapts a mediadevices track to pion:
//   - it gives the track a stable ID and stream ID (mediadevices returns a new
//     random stream ID on every call);
//   - it writes the payload type the browser negotiated. mediadevices v0.10.0
//     always writes its own (96 for VP8), which breaks browsers that number VP8
//     differently (Firefox uses 120).
type videoTrack struct {
	mediadevices.Track
	stop func() // ends the Changes subscription, if any
}

func (t *videoTrack) ID() string       { return "screen" }
func (t *videoTrack) StreamID() string { return "lifeline" }

// Bind offers mediadevices only the first negotiated VP8 codec and rewrites the
// payload type of every packet to that codec's.
func (t *videoTrack) Bind(ctx webrtc.TrackLocalContext) (webrtc.RTPCodecParameters, error) {
	for _, c := range ctx.CodecParameters() {
		if strings.EqualFold(c.MimeType, webrtc.MimeTypeVP8) {
			return t.Track.Bind(&vp8Context{TrackLocalContext: ctx, codec: c})
		}
	}
	return webrtc.RTPCodecParameters{}, ErrNoVP8
}

type vp8Context struct {
	webrtc.TrackLocalContext
	codec webrtc.RTPCodecParameters
}

func (c *vp8Context) CodecParameters() []webrtc.RTPCodecParameters {
	return []webrtc.RTPCodecParameters{c.codec}
}

func (c *vp8Context) WriteStream() webrtc.TrackLocalWriter {
	w := &ptWriter{w: c.TrackLocalContext.WriteStream(), pt: uint8(c.codec.PayloadType)}
	for _, e := range c.HeaderExtensions() {
		if e.URI == playoutDelayURI {
			w.playoutDelay = uint8(e.ID)
		}
	}
	return w
}

// playoutDelayURI is the RTP header extension that tells the receiver how long
// it may hold frames: http://www.webrtc.org/experiments/rtp-hdrext/playout-delay
// (two 12-bit values, minimum and maximum, in 10 ms units).
const playoutDelayURI = "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay"

// zeroPlayoutDelay is minimum 0, maximum 0: show frames as soon as decoded.
var zeroPlayoutDelay = []byte{0, 0, 0}

// ptWriter sets the negotiated payload type on every packet it passes on, and
// the playout delay (when the browser negotiated it) on each frame's packets.
type ptWriter struct {
	w            webrtc.TrackLocalWriter
	pt           uint8
	playoutDelay uint8 // the extension's ID, 0 if not negotiated
}

func (p *ptWriter) WriteRTP(h *rtp.Header, payload []byte) (int, error) {
	h.PayloadType = p.pt
	if p.playoutDelay != 0 {
		if err := h.SetExtension(p.playoutDelay, zeroPlayoutDelay); err != nil {
			return 0, err
		}
	}
	return p.w.WriteRTP(h, payload)
}

func (p *ptWriter) Write(b []byte) (int, error) {
	var pkt rtp.Packet
	if err := pkt.Unmarshal(b); err != nil {
		return 0, err
	}
	return p.WriteRTP(&pkt.Header, pkt.Payload)
}

// gatedReader records each frame's size in w and h and lets frames through only
// while g is on. A frame read while it is off never leaves this function: a
// black one of the same size goes instead. The very first frame, when video
// is off and its size is known (first), is black without a capture: the
// answer to the browser's offer waits for it, and a first capture costs
// 150–300 ms (fresh buffers); the next frame, a second later or at Allow,
// captures.
func gatedReader(r video.Reader, w, h *atomic.Int32, g *gate, first image.Point) video.Reader {
	return video.ReaderFunc(func() (image.Image, func(), error) {
		open, isFirst := g.wait()
		if !open && isFirst && first.X > 0 && first.Y > 0 {
			w.Store(int32(first.X))
			h.Store(int32(first.Y))
			return g.black(image.Rectangle{Max: first}), func() {}, nil
		}
		img, release, err := r.Read()
		if err != nil || img == nil {
			return img, release, err
		}
		b := img.Bounds()
		w.Store(int32(b.Dx()))
		h.Store(int32(b.Dy()))
		if !open {
			release()
			return g.black(b), func() {}, nil
		}
		return img, release, nil
	})
}

// gate lets screen frames through only while video is on. While it is off,
// frames are replaced by black ones at pausedFPS, so the encoder and the
// connection stay up and nothing of the desktop is sent.
type gate struct {
	mu      sync.Mutex
	on      bool
	changed chan struct{} // closed and replaced on every change
	done    <-chan struct{}
	blank   *image.YCbCr
	reads   int // frames asked for so far
	// fresh receives when video comes on: the screen is captured anew.
	fresh chan struct{}
}

// pausedInterval is the time between black frames while video is off.
const pausedInterval = time.Second

func newGate(on bool, done <-chan struct{}) *gate {
	return &gate{on: on, changed: make(chan struct{}), done: done, fresh: make(chan struct{}, 1)}
}

func (g *gate) set(on bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.on != on {
		g.on = on
		close(g.changed)
		g.changed = make(chan struct{})
		if on {
			select {
			case g.fresh <- struct{}{}:
			default:
			}
		}
	}
}

// wait reports whether video is on, and whether this is the first frame;
// while video is off it first waits pausedInterval (or until video comes on,
// or the Peer closes), except for the first frame.
func (g *gate) wait() (on, first bool) {
	g.mu.Lock()
	on, changed, first, second := g.on, g.changed, g.reads == 0, g.reads == 1
	g.reads++
	g.mu.Unlock()
	// The first frame goes at once, black or not: the encoder reads it while
	// the answer to the browser's offer is being made (mediadevices binds the
	// track there), and a second's wait for it held up the whole session.
	// The second goes at once too: black, but read from the screen, so that
	// the capture and conversion buffers are set up (their first use cost
	// 100–160 ms) before the customer allows viewing, not after.
	if on || first || second {
		return on, first
	}
	t := time.NewTimer(pausedInterval)
	defer t.Stop()
	select {
	case <-t.C:
	case <-changed:
	case <-g.done:
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.on, false
}

// black returns a black image of bounds b (reused while the size stays). It
// is I420, what the encoder takes without converting: 3 MB at 1080p to fill
// rather than 8 MB and a conversion.
func (g *gate) black(b image.Rectangle) image.Image {
	if g.blank == nil || g.blank.Bounds() != b {
		g.blank = image.NewYCbCr(b, image.YCbCrSubsampleRatio420)
		for i := range g.blank.Cb {
			g.blank.Cb[i], g.blank.Cr[i] = 128, 128
		}
	}
	return g.blank
}
