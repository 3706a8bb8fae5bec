// Package indicator shows, on the customer's desktop itself, that the screen
// is being viewed or controlled: a coloured frame around the screen and a
// badge in a corner (draggable) whose click stops control, then viewing,
// whose "Hide a window" button lets the customer click a window to keep it
// from the technician, and whose End button ends the session once
// confirmed. It is a session feature
// (it follows the grants and the hold) with no data channel; the drawing sits
// behind Display (X11, Win32), the rules here.
package indicator

import (
	"image"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/agent/consent"
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
	// Held: the technician put the session on hold; nothing of the screen
	// is sent, so the badge alone says so, without the frame.
	Held
)

// Zone is a part of the badge the customer clicked.
type Zone int

// Zones of the badge.
const (
	// ZoneStop is the badge's text: stop control, or viewing.
	ZoneStop Zone = iota
	// ZoneEnd is the badge's End button, at its right.
	ZoneEnd
	// ZoneHide is the badge's "Hide a window" button, before End.
	ZoneHide
)

// Badge is what the badge shows: its line, and the labels of its buttons
// ("" for none).
type Badge struct {
	Text string
	Hide string
	End  string
	// Confirm: End was clicked once; its label asks for a second click.
	Confirm bool
}

// confirmFor is how long the badge waits for the second click on End.
const confirmFor = 6 * time.Second

// Display draws the indicator. Show replaces what is shown. Implementations
// report the customer's clicks on the badge (by Zone) to the function given
// to them, and let the customer drag the badge elsewhere (a drag is no click).
type Display interface {
	Show(s State, b Badge) error
	Close() error
}

// Picker is a Display that lets the customer point at a window: their next
// click anywhere on the screen is taken (not passed on to what is there)
// and reported. The badge shows "Hide a window" only on a Picker.
type Picker interface {
	// Pick takes the customer's next click and calls done with where it
	// was, in screen coordinates, or with ok false if they cancelled (a
	// key, another button, a click on the badge) or the indicator was
	// hidden. done runs later, never within Pick, and must not block long.
	Pick(done func(at image.Point, ok bool)) error
}

// Indicator follows the customer's grants and shows them on the desktop.
type Indicator struct {
	d    Display
	lang i18n.Lang
	log  *slog.Logger

	mu                sync.Mutex
	org, tech, server string
	helpers           []string // the technician's colleagues in the session
	state             State
	grants            protocol.Permissions
	lost, held        bool
	mic               bool // the customer's microphone is on in a call (SetMic)
	act               func(consent.Action)
	confirm           *time.Timer // set while End waits for its second click
	hide              func(image.Point)
	picking           bool // the customer is pointing at a window to hide
}

// New returns an Indicator drawing on d.
func New(d Display, lang i18n.Lang, log *slog.Logger) *Indicator {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Indicator{d: d, lang: lang, log: log}
}

// OnAction sets what receives the customer's actions on the badge (stop
// control, stop viewing, end); it must not block.
func (in *Indicator) OnAction(f func(consent.Action)) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.act = f
}

// OnHide sets what receives the place the customer clicked after "Hide a
// window" (screen coordinates): the window there is to be kept from the
// technician. Without it, or on a Display that is no Picker, the badge has
// no such button.
func (in *Indicator) OnHide(f func(at image.Point)) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.hide = f
	if in.state != Off {
		in.showLocked()
	}
}

// picker is the Display as a Picker, if it is one and hiding is wired.
// in.mu must be held.
func (in *Indicator) picker() Picker {
	if p, ok := in.d.(Picker); ok && in.hide != nil {
		return p
	}
	return nil
}

// picked takes the end of a pick: the window at at is hidden if ok.
func (in *Indicator) picked(at image.Point, ok bool) {
	in.mu.Lock()
	hide := in.hide
	was := in.picking
	in.picking = false
	if was && in.state != Off {
		in.showLocked()
	}
	in.mu.Unlock()
	in.log.Info("customer pointed at a window to hide from the badge", "at", at, "done", ok && was)
	if ok && was && hide != nil {
		hide(at)
	}
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

// SetHelpers names the technician's colleagues in the session too, for the
// badge's text; a badge already shown is updated.
func (in *Indicator) SetHelpers(names []string) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if slices.Equal(names, in.helpers) {
		return
	}
	in.helpers = slices.Clone(names)
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

// SetMic shows that the customer's microphone is on in a call with the
// technician (agent/pagepeer), or off again.
func (in *Indicator) SetMic(on bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.mic == on {
		return
	}
	in.mic = on
	if in.state != Off {
		in.showLocked()
	}
}

// SetHold shows that the technician put the session on hold (or resumed it).
func (in *Indicator) SetHold(on bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.held = on
	in.updateLocked()
}

// Click takes the customer's click on zone z of the badge: the text stops
// control (or viewing, when not controlled); End asks for a second click
// within a few seconds before it ends the session, and any other click
// takes the question back.
func (in *Indicator) Click(z Zone) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.state == Off {
		return
	}
	a := consent.ActionRevokeView
	switch {
	case z == ZoneHide:
		p := in.picker()
		if p == nil || in.picking {
			return
		}
		in.cancelConfirmLocked()
		in.picking = true
		if err := p.Pick(in.picked); err != nil {
			in.picking = false
			in.log.Warn("on-screen indicator: cannot point at a window", "err", err)
		} else {
			in.log.Info("customer is pointing at a window to hide from the badge")
		}
		in.showLocked()
		return
	case z == ZoneEnd && in.confirm == nil:
		in.confirm = time.AfterFunc(confirmFor, in.confirmExpired)
		in.showLocked()
		return
	case z == ZoneEnd:
		in.cancelConfirmLocked()
		a = consent.ActionEnd
	default:
		if in.confirm != nil {
			in.cancelConfirmLocked()
			in.showLocked()
		}
		if in.state == Controlled {
			a = consent.ActionRevokeControl
		}
	}
	in.log.Info("customer clicked the on-screen badge", "action", a)
	if in.act != nil {
		in.act(a)
	}
}

// confirmExpired takes back the question of End after confirmFor.
func (in *Indicator) confirmExpired() {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.confirm != nil {
		in.confirm = nil
		if in.state != Off {
			in.showLocked()
		}
	}
}

// cancelConfirmLocked takes back the question of End. in.mu must be held.
func (in *Indicator) cancelConfirmLocked() {
	if in.confirm != nil {
		in.confirm.Stop()
		in.confirm = nil
	}
}

// updateLocked shows the state the grants, the connection and the hold
// make. in.mu must be held.
func (in *Indicator) updateLocked() {
	s := Off
	switch {
	case !in.grants.View && !in.grants.Control:
	case in.lost:
		s = Lost
	case in.held:
		s = Held
	case in.grants.Control:
		s = Controlled
	default:
		s = Viewed
	}
	if s == in.state {
		return
	}
	in.state = s
	if s == Off {
		in.cancelConfirmLocked()
		in.picking = false // the Display's Off ends its pick
	}
	in.showLocked()
}

// showLocked draws the current state. in.mu must be held.
func (in *Indicator) showLocked() {
	who := in.org
	if len(in.helpers) > 0 {
		who = i18n.T(in.lang, "agent.indicator.with", in.org, strings.Join(in.helpers, ", "))
	}
	b := Badge{Text: Text(in.lang, in.state, who, in.server)}
	if in.mic && in.state != Off {
		b.Text = i18n.T(in.lang, "agent.indicator.mic", b.Text)
	}
	if in.state != Off {
		b.End = i18n.T(in.lang, "agent.indicator.end")
		if in.confirm != nil {
			b.End, b.Confirm = i18n.T(in.lang, "agent.indicator.end.confirm"), true
		}
		// Hiding is for a screen someone sees (or will see again).
		if in.picker() != nil && in.state != Lost {
			b.Hide = i18n.T(in.lang, "agent.indicator.hide")
		}
		if in.picking {
			b.Text, b.Hide = i18n.T(in.lang, "agent.indicator.pick"), ""
		}
	}
	if err := in.d.Show(in.state, b); err != nil {
		in.log.Warn("on-screen indicator", "err", err)
	}
}

// Close removes the indicator from the screen.
func (in *Indicator) Close() error {
	in.mu.Lock()
	in.cancelConfirmLocked()
	in.mu.Unlock()
	return in.d.Close()
}

// Text is the badge's line for state s: who, through which server, and
// what a click does.
func Text(lang i18n.Lang, s State, org, server string) string {
	switch s {
	case Controlled:
		return i18n.T(lang, "agent.indicator.controlled", org, server)
	case Viewed:
		return i18n.T(lang, "agent.indicator.viewed", org, server)
	case Lost:
		return i18n.T(lang, "agent.indicator.lost")
	case Held:
		return i18n.T(lang, "agent.indicator.held", org)
	}
	return ""
}
