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

	mu        sync.Mutex
	org, tech string
	state     State
	grants    protocol.Permissions
	lost      bool
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

// SetNames tells who is connecting, for the badge's text.
func (in *Indicator) SetNames(org, technician string) {
	in.mu.Lock()
	in.org, in.tech = org, technician
	in.mu.Unlock()
}

// SetGrants shows what the customer allows now.
func (in *Indicator) SetGrants(p protocol.Permissions) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.grants = p
	in.showLocked()
}

// SetPeerLost shows that the technician's connection is lost (or back): the
// indicator never claims a viewer that is not there.
func (in *Indicator) SetPeerLost(lost bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.lost = lost
	in.showLocked()
}

// showLocked shows the state the grants and the connection make. in.mu must be held.
func (in *Indicator) showLocked() {
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
	if err := in.d.Show(s, Text(in.lang, s, in.org)); err != nil {
		in.log.Warn("on-screen indicator", "err", err)
	}
}

// Close removes the indicator from the screen.
func (in *Indicator) Close() error { return in.d.Close() }

// Text is the badge's line for state s.
func Text(lang i18n.Lang, s State, org string) string {
	switch s {
	case Controlled:
		return i18n.T(lang, "agent.indicator.controlled", org)
	case Viewed:
		return i18n.T(lang, "agent.indicator.viewed", org)
	case Lost:
		return i18n.T(lang, "agent.indicator.lost")
	}
	return ""
}
