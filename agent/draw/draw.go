// Package draw is the customer's side of the whiteboard and the laser pointer:
// it takes the technician's strokes and pointer from the draw data channel and
// shows them on the customer's screen through an overlay.
//
// Drawing needs the view grant, nothing more (as in LogMeIn Rescue, drawing is
// allowed while the technician only views): the technician points at what they
// see, and nothing reaches the customer's programs, since the overlay lets every
// click through. Without the view grant every draw message is dropped, and losing
// it erases the drawing and hides the laser. So does the draw channel closing.
//
// While anything is drawn, the technician's input is held back (HoldsInput):
// nothing is clicked or typed under a drawing the customer is looking at.
package draw

import (
	"fmt"
	"image/color"
	"log/slog"
	"strconv"
	"sync"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// Surface is what the feature draws on: *overlay.Overlay.
type Surface interface {
	Add(id string, c color.RGBA, width int, points []float64) error
	Clear()
	Laser(x, y float64)
	LaserOff()
	Reset()
	// Showing reports whether a stroke or the laser is on the screen.
	Showing() bool
}

// Draw serves the draw data channel (a session.Feature). Methods are safe for
// concurrent use.
type Draw struct {
	s   Surface
	log *slog.Logger

	mu      sync.Mutex // guards the fields below
	granted bool
	dc      *webrtc.DataChannel
	dropped int // messages dropped without a view grant
	refused int // strokes refused (invalid or the drawing is full)
	audit   func(protocol.Audit)
}

// New returns the feature drawing on s. Logger may be nil.
func New(s Surface, log *slog.Logger) *Draw {
	if log == nil {
		log = slog.Default()
	}
	return &Draw{s: s, log: log.With("component", "draw")}
}

// SetAudit takes the session's reporter of refusals (a session.Auditor).
func (d *Draw) SetAudit(report func(protocol.Audit)) {
	d.mu.Lock()
	d.audit = report
	d.mu.Unlock()
}

// HoldsInput reports whether a stroke or the laser is on the customer's
// screen: the session injects no input then (a session.InputGuard).
func (d *Draw) HoldsInput() bool { return d.s.Showing() }

// Handles reports whether label is the draw channel.
func (d *Draw) Handles(label string) bool { return label == protocol.ChannelDraw }

// SetGrants lets drawing through while viewing is allowed; losing the grant
// erases everything.
func (d *Draw) SetGrants(p protocol.Permissions) {
	d.mu.Lock()
	was := d.granted
	d.granted = p.View
	d.mu.Unlock()
	if was && !p.View {
		d.s.Reset()
		d.log.Info("viewing stopped: drawing erased")
	}
}

// Attach takes the draw channel; a newer one replaces an older one.
func (d *Draw) Attach(dc *webrtc.DataChannel) {
	d.mu.Lock()
	d.dc = dc
	d.mu.Unlock()
	dc.OnClose(func() {
		d.mu.Lock()
		current := d.dc == dc
		if current {
			d.dc = nil
		}
		d.mu.Unlock()
		if current {
			d.s.Reset()
		}
	})
	dc.OnMessage(func(m webrtc.DataChannelMessage) { d.Handle(m.Data) })
}

// AttachHelper takes the draw channel of a colleague of the technician the
// lead granted drawing (session.HelperFeature): their strokes go on the
// customer's screen as the technician's do, each only while allowed says
// so. The lead's channel stays the one whose close erases the drawing.
func (d *Draw) AttachHelper(dc *webrtc.DataChannel, _ string, allowed func() bool) {
	dc.OnMessage(func(m webrtc.DataChannelMessage) {
		if !allowed() {
			d.refuse("drawing of a colleague not allowed to draw dropped", ErrNotAllowed)
			return
		}
		d.Handle(m.Data)
	})
}

// Handle applies one message from the draw channel, if the customer allows viewing.
func (d *Draw) Handle(data []byte) {
	m, err := protocol.DecodeDraw(data)
	if err != nil {
		d.refuse("invalid draw message dropped", err)
		return
	}
	d.mu.Lock()
	granted := d.granted
	if !granted {
		d.dropped++
		if d.dropped == 1 || d.dropped%100 == 0 {
			d.log.Warn("drawing without a view grant dropped", "dropped", d.dropped)
		}
	}
	d.mu.Unlock()
	if !granted {
		return
	}
	switch m.Kind {
	case protocol.DrawStroke:
		if err := d.s.Add(m.ID, parseColor(m.Color), m.Width, m.Points); err != nil {
			d.refuse("stroke refused", err)
		}
	case protocol.DrawClear:
		d.s.Clear()
		d.log.Info("drawing erased by the technician")
	case protocol.DrawLaser:
		d.s.Laser(m.X, m.Y)
	case protocol.DrawLaserOff:
		d.s.LaserOff()
	}
}

// refuse logs and audits a refused message: the first, then every hundredth.
func (d *Draw) refuse(what string, err error) {
	d.mu.Lock()
	d.refused++
	n, report := d.refused, d.audit
	d.mu.Unlock()
	if n == 1 || n%100 == 0 {
		d.log.Warn(what, "err", err, "refused", n)
		if report != nil {
			report(protocol.Audit{Event: protocol.AuditRefused, Detail: fmt.Sprintf("%s: %v, %d refused", what, err, n)})
		}
	}
}

// parseColor reads a colour DecodeDraw checked ("#rrggbb").
func parseColor(s string) color.RGBA {
	v, _ := strconv.ParseUint(s[1:], 16, 32)
	return color.RGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 255}
}
