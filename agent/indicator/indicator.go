// Package indicator shows, on the customer's desktop itself, that the screen
// is being viewed or controlled: a coloured frame around the screen and a
// badge at the top that stops it in one click. It is a session feature (it
// follows the grants) with no data channel; the drawing sits behind Display
// (X11 today).
package indicator

import (
	"log/slog"
	"sync"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// State is what the indicator shows.
type State int

// States, from nothing to control.
const (
	Off State = iota
	Viewed
	Controlled
	// Lost: the technician's connection is lost; the badge says so and the
	// frame, which means "viewed", is not shown.
	Lost
)

// Display draws the indicator. Show replaces what is shown; text is the
// badge's line. Implementations call the stop function given to them when the
// customer clicks the badge.
type Display interface {
	Show(s State, text string) error
	Close() error
}

// Indicator follows the customer's grants and shows them on the desktop.
type Indicator struct {
	d    Display
	lang i18n.Lang
	log  *slog.Logger

	mu                sync.Mutex
	org, tech, server string
	state             State
	grants            protocol.Permissions
	lost              bool
}

// New returns an Indicator drawing on d.
func New(d Display, lang i18n.Lang, log *slog.Logger) *Indicator {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Indicator{d: d, lang: lang, log: log}
}

// Handles is false: the indicator serves no data channel.
func (*Indicator) Handles(string) bool { return false }

// Attach is never called (Handles is false).
func (*Indicator) Attach(*webrtc.DataChannel) {}

// SetNames tells who is connecting and through which server (its host
// name), for the badge's text; a badge already shown is updated.
func (in *Indicator) SetNames(org, technician, server string) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if org == in.org && technician == in.tech && server == in.server {
		return
	}
	in.org, in.tech, in.server = org, technician, server
	if in.state != Off {
		in.showLocked()
	}
}

// SetGrants shows what the customer allows now.
func (in *Indicator) SetGrants(p protocol.Permissions) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.grants = p
	in.updateLocked()
}

// SetPeerLost shows that the technician's connection is lost (or back): the
// indicator never claims a viewer that is not there.
func (in *Indicator) SetPeerLost(lost bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.lost = lost
	in.updateLocked()
}

// updateLocked shows the state the grants and the connection make. in.mu must be held.
func (in *Indicator) updateLocked() {
	s := Off
	switch {
	case in.lost && (in.grants.View || in.grants.Control):
		s = Lost
	case in.grants.Control:
		s = Controlled
	case in.grants.View:
		s = Viewed
	}
	if s == in.state {
		return
	}
	in.state = s
	in.showLocked()
}

// showLocked draws the current state. in.mu must be held.
func (in *Indicator) showLocked() {
	if err := in.d.Show(in.state, Text(in.lang, in.state, in.org, in.server)); err != nil {
		in.log.Warn("on-screen indicator", "err", err)
	}
}

// Close removes the indicator from the screen.
func (in *Indicator) Close() error { return in.d.Close() }

// Text is the badge's line for state s: who, and through which server.
func Text(lang i18n.Lang, s State, org, server string) string {
	switch s {
	case Controlled:
		return i18n.T(lang, "agent.indicator.controlled", org, server)
	case Viewed:
		return i18n.T(lang, "agent.indicator.viewed", org, server)
	case Lost:
		return i18n.T(lang, "agent.indicator.lost")
	}
	return ""
}
