package input

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/go-vgo/robotgo"
	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
	"github.com/jezek/xgb/xtest"

	"github.com/lifeline-support/lifeline/agent/supervise"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// TakesCtrlAltDel reports whether Ctrl+Alt+Del injected as keys reaches the
// desktop: on X11 it is a key combination like any other.
const TakesCtrlAltDel = true

// Robot injects input events on the X display named by DISPLAY, with
// robotgo.
//
// robotgo keeps one global Xlib Display without XInitThreads, so a Robot
// makes every robotgo call from one goroutine locked to its OS thread, and
// only one Robot may be open in a process. Inject validates an event, queues
// it and returns; the goroutine injects it. Text is typed by keysym through
// XTEST on a second, pure-Go X connection (see [Robot.Inject]).
type Robot struct {
	log     *slog.Logger
	w, h    int
	display string
	q       *queue
	kb      *xkeyboard
	journal *supervise.Journal

	ctl       chan ctlReq   // ReleaseAll and Close requests to the loop
	stopped   chan struct{} // closed when the loop has exited
	closed    atomic.Bool
	closeOnce sync.Once
	closeErr  error
	dropped   atomic.Int64                     // pointer moves dropped because the queue was full
	area      atomic.Pointer[protocol.Monitor] // the streamed monitor, nil: the whole screen

	// Owned by the loop goroutine.
	heldKeys    map[string]keyDef         // by DOM code
	heldScan    map[string]xproto.Keycode // by DOM code
	heldButtons [3]bool
}

// New connects to the X display named by DISPLAY and starts the injecting
// goroutine. It returns ErrNoDisplay, rather than crashing inside robotgo's
// cgo, when DISPLAY is unset or unreachable, and ErrInUse while another
// Robot is open.
func New(cfg Config) (*Robot, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	display := os.Getenv("DISPLAY")
	if display == "" {
		return nil, fmt.Errorf("%w (DISPLAY is not set)", ErrNoDisplay)
	}
	if !active.CompareAndSwap(false, true) {
		return nil, ErrInUse
	}
	r, err := newRobot(cfg, log, display)
	if err != nil {
		active.Store(false)
		return nil, err
	}
	return r, nil
}

func newRobot(cfg Config, log *slog.Logger, display string) (*Robot, error) {
	// Check the display with a pure-Go connection first: robotgo would
	// dereference a NULL Display* and crash the process.
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrNoDisplay, display, err)
	}
	if err := xtest.Init(conn); err != nil {
		conn.Close()
		return nil, fmt.Errorf("%w: %v", ErrNoXTest, err)
	}
	screen := xproto.Setup(conn).DefaultScreen(conn)
	w, h := cfg.ScreenWidth, cfg.ScreenHeight
	if w <= 0 || h <= 0 {
		w, h = int(screen.WidthInPixels), int(screen.HeightInPixels)
	}
	kb, err := newXKeyboard(conn, log, cfg.Journal)
	if err != nil {
		conn.Close()
		return nil, err
	}
	r := &Robot{
		log:      log,
		w:        w,
		h:        h,
		display:  display,
		q:        newQueue(QueueSize),
		kb:       kb,
		journal:  cfg.Journal,
		ctl:      make(chan ctlReq),
		stopped:  make(chan struct{}),
		heldKeys: map[string]keyDef{},
		heldScan: map[string]xproto.Keycode{},
	}
	started := make(chan struct{})
	go r.loop(started)
	<-started
	return r, nil
}

func (r *Robot) validate(ev protocol.InputEvent) error {
	return checkEvent(ev, func(ev protocol.InputEvent) error {
		if ev.Kind == protocol.InputKey {
			def, ok := keyMap[ev.Code]
			if !ok {
				return fmt.Errorf("%w: %q", ErrUnknownKey, ev.Code)
			}
			if !r.kb.present(def.keysym) {
				return fmt.Errorf("%w: %q", ErrKeyUnavailable, ev.Code)
			}
			return nil
		}
		kc, ok := scanCodes[ev.Code]
		if !ok {
			return fmt.Errorf("%w: %q", ErrUnknownKey, ev.Code)
		}
		if !r.kb.inRange(xproto.Keycode(kc)) || r.kb.unused(xproto.Keycode(kc)) {
			return fmt.Errorf("%w: %q", ErrKeyUnavailable, ev.Code)
		}
		return nil
	})
}

// Close releases held keys and buttons, clears the keycodes it remapped for
// text, stops the injecting goroutine and closes the X connections. Queued
// events are discarded. It is safe to call more than once.
func (r *Robot) Close() error {
	r.closeOnce.Do(func() {
		r.closed.Store(true)
		r.q.clear()
		req := ctlReq{stop: true, done: make(chan error, 1)}
		r.ctl <- req
		r.closeErr = <-req.done
		<-r.stopped
		r.kb.close()
		active.Store(false)
	})
	return r.closeErr
}

// Size returns the screen size in pixels that event positions refer to.
func (r *Robot) Size() (width, height int) { return r.w, r.h }

// loop owns robotgo: every robotgo call happens here, on one OS thread.
func (r *Robot) loop(started chan<- struct{}) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer close(r.stopped)

	robotgo.KeySleep = 0
	robotgo.MouseSleep = 0
	// Make robotgo (re)open its Display on this DISPLAY; a previous Robot
	// closed its connection in Close.
	_ = robotgo.SetXDisplayName(r.display)
	close(started)

	for {
		select {
		case <-r.q.wake:
			r.drain()
		case req := <-r.ctl:
			err := r.releaseAll()
			if !req.stop {
				req.done <- err
				continue
			}
			err = errors.Join(err, r.kb.restore())
			robotgo.CloseMainDisplay()
			req.done <- err
			return
		}
	}
}

// apply injects one validated event. Loop goroutine only.
func (r *Robot) apply(ev protocol.InputEvent) error {
	switch ev.Kind {
	case protocol.InputMove:
		r.moveTo(ev.X, ev.Y)
	case protocol.InputButton:
		r.moveTo(ev.X, ev.Y)
		return r.button(ev.Button, ev.Down)
	case protocol.InputWheel:
		r.moveTo(ev.X, ev.Y)
		// robotgo: y > 0 is button 4 (up), x > 0 button 6 (left); the DOM's
		// positive deltas scroll down and right.
		robotgo.Scroll(-ev.DX, -ev.DY, 0)
	case protocol.InputKey:
		def := keyMap[ev.Code]
		if err := r.key(def, ev.Down); err != nil {
			return err
		}
		if ev.Down {
			r.heldKeys[ev.Code] = def
		} else {
			delete(r.heldKeys, ev.Code)
		}
	case protocol.InputScan:
		kc := xproto.Keycode(scanCodes[ev.Code])
		if err := r.kb.fake(kc, ev.Down); err != nil {
			return err
		}
		if ev.Down {
			r.heldScan[ev.Code] = kc
		} else {
			delete(r.heldScan, ev.Code)
		}
	case protocol.InputText:
		return r.kb.typeText(ev.Text)
	}
	return nil
}

func (r *Robot) moveTo(x, y float64) {
	a := r.area.Load()
	if a == nil {
		robotgo.Move(pixel(x, r.w), pixel(y, r.h))
		return
	}
	// On our own connection with the screen's root: robotgo ignores
	// screens (robotgo#595) and knows nothing of monitor origins.
	if err := r.kb.warp(a.Screen, a.X+pixel(x, a.W), a.Y+pixel(y, a.H)); err != nil {
		r.log.Warn("input: move", "err", err)
	}
}

var buttonNames = [3]string{"left", "center", "right"}

func (r *Robot) button(b int, down bool) error {
	dir := "down"
	if !down {
		dir = "up"
	}
	if down {
		r.journal.Button(b+1, true) // X numbers buttons from 1
	}
	if err := robotgo.Toggle(buttonNames[b], dir); err != nil {
		return err
	}
	if !down {
		r.journal.Button(b+1, false)
	}
	r.heldButtons[b] = down
	return nil
}

func (r *Robot) key(def keyDef, down bool) error {
	// The layout may have changed since validation: never let robotgo fake
	// keycode 0 (BadValue, which Xlib's default handler turns into exit).
	if !r.kb.present(def.keysym) {
		return fmt.Errorf("%w: keysym 0x%x", ErrKeyUnavailable, def.keysym)
	}
	if def.name == "" {
		return r.kb.toggleKeysym(def.keysym, down)
	}
	dir := "down"
	if !down {
		dir = "up"
	}
	// robotgo fakes the keycode Xlib finds for the keysym: the first one
	// carrying it, as keycode finds it.
	kc, _, _ := r.kb.keycode(xproto.Keysym(def.keysym), true)
	if down {
		r.journal.Key(uint32(kc), true)
	}
	if err := robotgo.KeyToggle(def.name, dir); err != nil {
		return err
	}
	if !down {
		r.journal.Key(uint32(kc), false)
	}
	return nil
}

// releaseAll releases held keys and buttons. Loop goroutine only.
func (r *Robot) releaseAll() error {
	var errs []error
	for code, def := range r.heldKeys {
		errs = append(errs, r.key(def, false))
		delete(r.heldKeys, code)
	}
	for code, kc := range r.heldScan {
		errs = append(errs, r.kb.fake(kc, false))
		delete(r.heldScan, code)
	}
	for b, down := range r.heldButtons {
		if down {
			errs = append(errs, r.button(b, false))
		}
	}
	return errors.Join(errs...)
}
