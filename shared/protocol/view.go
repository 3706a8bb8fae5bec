package protocol

import (
	"encoding/json"
	"fmt"
)

// ChannelView carries the technician's view settings (quality preset, which
// monitor is streamed) and the agent's answer: reliable and ordered.
const ChannelView = "view"

// ViewKind names one kind of view message.
type ViewKind string

// View message kinds.
const (
	// ViewQuality (console → agent) asks for the Quality preset.
	ViewQuality ViewKind = "quality"
	// ViewMonitor (console → agent) asks to stream Monitors[Monitor].
	ViewMonitor ViewKind = "monitor"
	// ViewState (agent → console) lists the customer's Monitors and says which
	// Monitor and Quality are in use. The agent sends it when the channel
	// opens and after every change.
	ViewState ViewKind = "state"
	// ViewLink (agent → console) says what the agent's bandwidth estimate
	// allows: sent when the channel opens and when the estimate changes
	// much or the picture is reduced or restored (added 2026-12-07,
	// additive to version 1).
	ViewLink ViewKind = "link"
	// ViewScreen (agent → console) says whether the customer's screen can
	// be read, and if not why (Blocked): sent when the capture fails or
	// recovers, and when the channel opens while it fails. While it fails
	// the video shows a still grey picture and the console says why
	// (added 2026-12-07, additive to version 1).
	ViewScreen ViewKind = "screen"
)

// Blocked says why the customer's screen cannot be read; "" means it can.
type Blocked string

// Reasons the screen cannot be read.
const (
	// BlockedLocked: the customer's workstation is locked.
	BlockedLocked Blocked = "locked"
	// BlockedSecure: a Windows security prompt (UAC, Ctrl+Alt+Del) holds
	// the secure desktop.
	BlockedSecure Blocked = "secure"
	// BlockedUnreadable: the screen cannot be read for another reason (the
	// X server went away, a capture error).
	BlockedUnreadable Blocked = "unreadable"
)

// Valid reports whether b is "" or a known reason.
func (b Blocked) Valid() bool {
	switch b {
	case "", BlockedLocked, BlockedSecure, BlockedUnreadable:
		return true
	}
	return false
}

// Quality is a video quality preset.
type Quality string

// Quality presets. Auto is the agent's default: full resolution and the
// encoder's default rate.
const (
	QualityLow    Quality = "low"    // half resolution, grayscale, few frames, low bit rate
	QualityMedium Quality = "medium" // full resolution, fewer frames, moderate bit rate
	QualityHigh   Quality = "high"   // full resolution, full frame rate, high bit rate
	QualityAuto   Quality = "auto"
)

// Bounds of view messages.
const (
	MaxViewSize = 8 << 10 // bytes of one view message
	MaxMonitors = 16      // monitors listed in one state
	maxCoord    = 1 << 15 // pixels: X11 coordinates are 16-bit
)

// Monitor is one of the customer's monitors: a rectangle of X screen Screen,
// in pixels.
type Monitor struct {
	Name   string `json:"name,omitempty"`
	Screen int    `json:"s"`
	X      int    `json:"x"`
	Y      int    `json:"y"`
	W      int    `json:"w"`
	H      int    `json:"h"`
}

// ViewMessage is one message on the view data channel.
type ViewMessage struct {
	Kind     ViewKind  `json:"k"`
	Quality  Quality   `json:"q,omitempty"`
	Monitor  int       `json:"m"`
	Monitors []Monitor `json:"monitors,omitempty"`
	// NoCtrlAltDel, in a state message, says that the customer's system
	// does not take Ctrl+Alt+Del from the agent (Windows answers it only
	// from a service); the console offers Task Manager instead.
	NoCtrlAltDel bool `json:"noCad,omitempty"`
	// Link is set in a ViewLink message only.
	Link *Link `json:"link,omitempty"`
	// Blocked, in a ViewScreen message, says why the screen cannot be
	// read; "" says it can again.
	Blocked Blocked `json:"blocked,omitempty"`
}

// Link is the agent's view of its uplink, for the console's link-quality
// indicator.
type Link struct {
	// Kbps is the bandwidth estimate (kbit/s) the encoder follows.
	Kbps int `json:"kbps"`
	// Reduced says the estimate cut the picture: fewer frames or half
	// resolution while it moves.
	Reduced bool `json:"reduced"`
	// QueueMs is the longest a video packet waited in the agent's pacer
	// since the last link message (ms): how far behind the network the
	// screen fell on the agent's side (frames are skipped beyond ~60 ms).
	QueueMs int `json:"queueMs"`
}

// MaxLinkKbps bounds Link.Kbps (10 Gbit/s).
const MaxLinkKbps = 10_000_000

// MaxLinkQueueMs bounds Link.QueueMs (a minute).
const MaxLinkQueueMs = 60_000

// DecodeView parses and validates one view message.
func DecodeView(data []byte) (ViewMessage, error) {
	var m ViewMessage
	if len(data) > MaxViewSize {
		return m, fmt.Errorf("%w: %d bytes", ErrTooLarge, len(data))
	}
	if err := strict(data, &m); err != nil {
		return m, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if err := m.validate(); err != nil {
		return m, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return m, nil
}

// EncodeView returns the wire form of a view message.
func EncodeView(m ViewMessage) ([]byte, error) { return json.Marshal(m) }

// Valid reports whether q is a known preset.
func (q Quality) Valid() bool {
	switch q {
	case QualityLow, QualityMedium, QualityHigh, QualityAuto:
		return true
	}
	return false
}

func (m *ViewMessage) validate() error {
	if m.Monitor < 0 || m.Monitor >= MaxMonitors {
		return fmt.Errorf("monitor %d out of range", m.Monitor)
	}
	if (m.Link != nil) != (m.Kind == ViewLink) {
		return fmt.Errorf("link only in a link message")
	}
	if m.Blocked != "" && m.Kind != ViewScreen {
		return fmt.Errorf("blocked only in a screen message")
	}
	switch m.Kind {
	case ViewScreen:
		if !m.Blocked.Valid() || m.Quality != "" || m.Monitor != 0 {
			return fmt.Errorf("bad screen message (blocked %q)", m.Blocked)
		}
	case ViewLink:
		if m.Link.Kbps < 0 || m.Link.Kbps > MaxLinkKbps || m.Link.QueueMs < 0 || m.Link.QueueMs > MaxLinkQueueMs || m.Quality != "" || m.Monitor != 0 {
			return fmt.Errorf("bad link %+v", *m.Link)
		}
	case ViewQuality:
		if !m.Quality.Valid() {
			return fmt.Errorf("unknown quality %q", m.Quality)
		}
	case ViewMonitor:
	case ViewState:
		if !m.Quality.Valid() {
			return fmt.Errorf("unknown quality %q", m.Quality)
		}
		if len(m.Monitors) == 0 || len(m.Monitors) > MaxMonitors || m.Monitor >= len(m.Monitors) {
			return fmt.Errorf("bad monitor list")
		}
		for _, mon := range m.Monitors {
			if err := mon.validate(); err != nil {
				return err
			}
		}
		return nil
	default:
		return fmt.Errorf("unknown view kind %q", m.Kind)
	}
	if len(m.Monitors) != 0 || m.NoCtrlAltDel {
		return fmt.Errorf("monitors and noCad only in a state message")
	}
	return nil
}

func (mon Monitor) validate() error {
	in := func(v, lo int) bool { return v >= lo && v < maxCoord }
	if !in(mon.X, 0) || !in(mon.Y, 0) || !in(mon.W, 1) || !in(mon.H, 1) || !in(mon.Screen, 0) || len(mon.Name) > 64 {
		return fmt.Errorf("bad monitor %+v", mon)
	}
	return nil
}
