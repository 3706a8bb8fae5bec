// Package recording tells the customer when the technician records the session.
// The console records the video in the browser; before it starts, it sends a
// notice on the recording data channel and waits for this package to answer
// that the customer was told; after it stops, it sends another. The customer
// sees each notice in their page (a banner while recording) and in their log.
// If the channel closes while a recording is on, the customer is told it
// stopped: without the connection there is nothing left to record.
package recording

import (
	"encoding/json"
	"log/slog"
	"sync"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// Config configures a Recording.
type Config struct {
	// Logger receives structured logs; nil means slog.Default().
	Logger *slog.Logger
	// OnNotice tells the customer that recording started (true) or stopped
	// (false), in their log. It is called before the console is answered and
	// must not block.
	OnNotice func(on bool)
}

// Recording serves the recording channel (a session.Feature) and the recording
// banner of the customer's page (http.Handler). Methods are safe for
// concurrent use.
type Recording struct {
	cfg Config
	log *slog.Logger

	mu      sync.Mutex // guards the fields below
	on      bool
	dc      *webrtc.DataChannel // the channel whose recording is on
	changed chan struct{}       // closed and replaced on every change
}

// New returns the feature.
func New(cfg Config) *Recording {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Recording{cfg: cfg, log: cfg.Logger.With("component", "recording"), changed: make(chan struct{})}
}

// Handles reports whether label is the recording channel.
func (r *Recording) Handles(label string) bool { return label == protocol.ChannelRecording }

// SetGrants does nothing: the customer is told of every recording, whatever they allow.
func (r *Recording) SetGrants(protocol.Permissions) {}

// On reports whether the technician is recording.
func (r *Recording) On() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.on
}

// Attach takes the recording channel the console opened.
func (r *Recording) Attach(dc *webrtc.DataChannel) {
	dc.OnClose(func() {
		r.mu.Lock()
		stop := r.on && r.dc == dc
		r.mu.Unlock()
		if stop {
			r.log.Info("connection closed while recording")
			r.set(dc, false)
		}
	})
	dc.OnMessage(func(m webrtc.DataChannelMessage) {
		n, err := protocol.DecodeRecording(m.Data)
		if err != nil || n.Ack {
			r.log.Warn("invalid recording notice dropped", "err", err)
			return
		}
		r.set(dc, n.Recording)
		b, _ := json.Marshal(protocol.RecordingNotice{Recording: n.Recording, Ack: true})
		if err := dc.SendText(string(b)); err != nil {
			r.log.Warn("could not acknowledge a recording notice", "err", err)
		}
	})
}

// set records the state and tells the customer, each time it changes.
func (r *Recording) set(dc *webrtc.DataChannel, on bool) {
	r.mu.Lock()
	changed := r.on != on
	r.on, r.dc = on, dc
	if changed {
		close(r.changed)
		r.changed = make(chan struct{})
	}
	r.mu.Unlock()
	if !changed {
		return
	}
	r.log.Info("recording notice shown", "recording", on)
	if r.cfg.OnNotice != nil {
		r.cfg.OnNotice(on)
	}
}
