package input

import (
	"log/slog"
	"sync/atomic"

	"github.com/lifeline-support/lifeline/agent/supervise"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// Injector injects input events into the desktop. *Robot implements it (X11:
// robot_linux.go, Windows: robot_windows.go); tests use fakes.
type Injector interface {
	Inject(protocol.InputEvent) error
}

var _ Injector = (*Robot)(nil)

// Config configures a Robot.
type Config struct {
	// Logger receives warnings (dropped events, injection failures); nil
	// means slog.Default().
	Logger *slog.Logger
	// ScreenWidth and ScreenHeight are the size in pixels of the streamed
	// screen that event positions are fractions of; 0 means the size of the
	// X display's default screen. Windows ignores them: positions are
	// fractions of the virtual screen.
	ScreenWidth, ScreenHeight int
	// Journal, if set, is told every key (X keycode, Windows scan code)
	// and button before it goes down and after it comes up, and every
	// keycode remapped, so that the agent's supervisor can undo them if this
	// process dies (nil: not supervised).
	Journal *supervise.Journal
}

// active is set while a Robot is open: one at a time (robotgo keeps one
// global X connection; Windows has one input queue to inject into).
var active atomic.Bool

// ctlReq asks the injecting goroutine to release everything, and to stop.
type ctlReq struct {
	stop bool       // close: release everything, restore the keymap and exit
	done chan error // receives the outcome
}

// Inject validates ev and queues it for injection. Validation failures
// (ErrBadEvent, ErrUnknownKey, ErrKeyUnavailable) are returned at once and
// nothing is injected; so is ErrQueueFull when the desktop falls behind, and
// ErrClosed after Close. Failures while injecting are logged.
//
// Positions are fractions of the screen: x = round(X*(W-1)). A scan event
// presses the key at a physical position (see scanCodes), so the customer's
// own layout decides what it types; a text event types its characters
// whatever the layout (X11: by keysym, remapping an unused keycode as
// xdotool does when the layout lacks one; Windows: as Unicode key events).
// On Windows a key event is a scan event.
func (r *Robot) Inject(ev protocol.InputEvent) error {
	if r.closed.Load() {
		return ErrClosed
	}
	if err := r.validate(ev); err != nil {
		return err
	}
	return r.q.enqueue(ev, r.log, &r.dropped)
}

// ReleaseAll discards queued events and releases every key and button that
// injected events hold down. The agent calls it when the technician loses
// control. It returns when the desktop has received the releases.
func (r *Robot) ReleaseAll() error {
	if r.closed.Load() {
		return ErrClosed
	}
	r.q.clear()
	req := ctlReq{done: make(chan error, 1)}
	select {
	case r.ctl <- req:
		return <-req.done
	case <-r.stopped:
		return ErrClosed
	}
}

// SetMonitor makes event positions fractions of monitor m from now on: a
// rectangle of X screen m.Screen, or of the Windows virtual screen (the
// monitor the technician sees).
func (r *Robot) SetMonitor(m protocol.Monitor) {
	if m.W <= 0 || m.H <= 0 {
		return
	}
	r.area.Store(&m)
}

// drain injects every queued event, logging failures. Loop goroutine only.
func (r *Robot) drain() {
	for {
		ev, ok := r.q.pop()
		if !ok {
			return
		}
		if err := r.apply(ev); err != nil {
			r.log.Warn("input: inject failed", "kind", ev.Kind, "err", err)
		}
	}
}
