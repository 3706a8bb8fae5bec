// Package screenshot takes a lossless PNG of the customer's whole screen at its
// native resolution when the technician asks, and sends it on the screenshot
// data channel. It does so only while the customer allows viewing, one
// screenshot at a time, and tells the customer each time.
package screenshot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"log/slog"
	"sync"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// Flow control of the channel: sending pauses above highWater bytes queued and
// resumes below lowWater.
const (
	highWater = 1 << 20
	lowWater  = 256 << 10
)

// sendTimeout bounds how long one screenshot may take to send.
const sendTimeout = 2 * time.Minute

// Config configures a Screenshot.
type Config struct {
	// Logger receives structured logs; nil means slog.Default().
	Logger *slog.Logger
	// Grab reads the screen; nil means the whole screen (X11: GrabX11 of
	// $DISPLAY; Windows: the virtual screen through GDI).
	Grab func() (*image.RGBA, error)
	// Mask, if set, paints over what the technician must not see (the
	// customer's private windows) in every grabbed picture, before it is
	// encoded.
	Mask func(*image.RGBA)
	// OnTaken, if set, is told each time a screenshot went to the technician
	// (for the customer's log). It must not block.
	OnTaken func()
}

// Screenshot serves the screenshot channel (a session.Feature). Create it with
// New, stop it with Close.
type Screenshot struct {
	cfg    Config
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex // guards the fields below
	granted bool
	busy    bool
}

// New returns the feature.
func New(cfg Config) *Screenshot {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Grab == nil {
		cfg.Grab = grabScreen
	}
	s := &Screenshot{cfg: cfg, log: cfg.Logger.With("component", "screenshot")}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s
}

// Close stops a screenshot on its way and waits for it. It is idempotent.
func (s *Screenshot) Close() error {
	s.cancel()
	s.wg.Wait()
	return nil
}

// Handles reports whether label is the screenshot channel.
func (s *Screenshot) Handles(label string) bool { return label == protocol.ChannelScreenshot }

// SetGrants allows screenshots while viewing is allowed.
func (s *Screenshot) SetGrants(p protocol.Permissions) {
	s.mu.Lock()
	s.granted = p.View
	s.mu.Unlock()
}

// Attach takes the screenshot channel the console opened.
func (s *Screenshot) Attach(dc *webrtc.DataChannel) {
	low := make(chan struct{}, 1)
	dc.OnOpen(func() { dc.SetBufferedAmountLowThreshold(lowWater) })
	// Runs on the SCTP read loop: never block here.
	dc.OnBufferedAmountLow(func() {
		select {
		case low <- struct{}{}:
		default:
		}
	})
	dc.OnMessage(func(m webrtc.DataChannelMessage) {
		if !m.IsString {
			s.log.Warn("binary message on the screenshot channel dropped")
			return
		}
		req, err := protocol.DecodeScreenshot(m.Data)
		if err != nil || req.Kind != protocol.ScreenshotRequest {
			s.log.Warn("invalid screenshot request dropped", "err", err, "kind", req.Kind)
			return
		}
		s.mu.Lock()
		granted, busy := s.granted, s.busy
		if granted && !busy {
			s.busy = true
		}
		s.mu.Unlock()
		switch {
		case !granted:
			s.log.Warn("screenshot without a view grant refused")
			reply(dc, protocol.ScreenshotMessage{Kind: protocol.ScreenshotError, ID: req.ID, Reason: protocol.ScreenshotNotAllowed})
			return
		case busy:
			reply(dc, protocol.ScreenshotMessage{Kind: protocol.ScreenshotError, ID: req.ID, Reason: protocol.ScreenshotBusy})
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer func() { s.mu.Lock(); s.busy = false; s.mu.Unlock() }()
			if err := s.send(dc, low, req.ID); err != nil {
				s.log.Warn("screenshot failed", "err", err)
				reply(dc, protocol.ScreenshotMessage{Kind: protocol.ScreenshotError, ID: req.ID, Reason: protocol.ScreenshotFailed})
			}
		}()
	})
}

// send takes the screenshot and sends it as begin, chunks, end.
func (s *Screenshot) send(dc *webrtc.DataChannel, low <-chan struct{}, id string) error {
	start := time.Now()
	img, err := s.cfg.Grab()
	if err != nil {
		return err
	}
	if s.cfg.Mask != nil {
		s.cfg.Mask(img)
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	if buf.Len() > protocol.MaxScreenshot {
		return fmt.Errorf("%w: %d bytes", protocol.ErrTooLarge, buf.Len())
	}
	b := img.Bounds()
	if err := reply(dc, protocol.ScreenshotMessage{Kind: protocol.ScreenshotBegin, ID: id, Size: buf.Len(), W: b.Dx(), H: b.Dy()}); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(s.ctx, sendTimeout)
	defer cancel()
	data := buf.Bytes()
	for off := 0; off < len(data); off += protocol.MaxScreenshotChunk {
		for dc.BufferedAmount() > highWater {
			select {
			case <-low:
			case <-time.After(50 * time.Millisecond):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if err := dc.Send(data[off:min(off+protocol.MaxScreenshotChunk, len(data))]); err != nil {
			return err
		}
	}
	if err := reply(dc, protocol.ScreenshotMessage{Kind: protocol.ScreenshotEnd, ID: id}); err != nil {
		return err
	}
	s.log.Info("screenshot sent", "w", b.Dx(), "h", b.Dy(), "bytes", len(data), "took", time.Since(start).Round(time.Millisecond))
	if s.cfg.OnTaken != nil {
		s.cfg.OnTaken()
	}
	return nil
}

func reply(dc *webrtc.DataChannel, m protocol.ScreenshotMessage) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return dc.SendText(string(b))
}
