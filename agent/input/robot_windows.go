package input

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"unicode/utf16"

	"github.com/lifeline-support/lifeline/agent/supervise"
	"github.com/lifeline-support/lifeline/agent/win32"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// TakesCtrlAltDel reports whether Ctrl+Alt+Del injected as keys reaches the
// desktop: Windows takes it only as the secure attention sequence
// (SendSAS), which needs a service the agent does not have yet.
const TakesCtrlAltDel = false

// Robot injects input events on the Windows desktop with SendInput: keys by
// scan code (the customer's layout decides the character, as on X11), text
// as Unicode key events, the mouse in absolute virtual-desktop coordinates.
// Windows refuses input into elevated windows (UIPI) and on the secure
// desktop; such failures are logged.
type Robot struct {
	log     *slog.Logger
	q       *queue
	journal *supervise.Journal

	ctl       chan ctlReq
	stopped   chan struct{}
	closed    atomic.Bool
	closeOnce sync.Once
	closeErr  error
	dropped   atomic.Int64
	area      atomic.Pointer[protocol.Monitor] // the streamed monitor, nil: the whole virtual screen

	// Owned by the loop goroutine.
	heldScan    map[string]uint16
	heldButtons [3]bool
}

// New starts the injecting goroutine. It returns ErrInUse while another
// Robot is open.
func New(cfg Config) (*Robot, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	if !active.CompareAndSwap(false, true) {
		return nil, ErrInUse
	}
	r := &Robot{log: log, q: newQueue(QueueSize), journal: cfg.Journal, ctl: make(chan ctlReq), stopped: make(chan struct{}), heldScan: map[string]uint16{}}
	go r.loop()
	return r, nil
}

// Close releases held keys and buttons and stops the injecting goroutine.
// It is safe to call more than once.
func (r *Robot) Close() error {
	r.closeOnce.Do(func() {
		r.closed.Store(true)
		r.q.clear()
		req := ctlReq{stop: true, done: make(chan error, 1)}
		r.ctl <- req
		r.closeErr = <-req.done
		<-r.stopped
		active.Store(false)
	})
	return r.closeErr
}

// validate checks ev: a key or scan event's code must be one scanCodes
// knows.
func (r *Robot) validate(ev protocol.InputEvent) error {
	return checkEvent(ev, func(ev protocol.InputEvent) error {
		if _, ok := scanCodes[ev.Code]; !ok {
			return fmt.Errorf("%w: %q", ErrUnknownKey, ev.Code)
		}
		return nil
	})
}

func (r *Robot) loop() {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer close(r.stopped)
	for {
		select {
		case <-r.q.wake:
			r.drain()
		case req := <-r.ctl:
			err := r.releaseAll()
			req.done <- err
			if req.stop {
				return
			}
		}
	}
}

// apply injects one validated event. Loop goroutine only.
func (r *Robot) apply(ev protocol.InputEvent) error {
	switch ev.Kind {
	case protocol.InputMove:
		return win32.SendInput(r.move(ev.X, ev.Y))
	case protocol.InputButton:
		return r.button(ev.Button, ev.Down, r.move(ev.X, ev.Y))
	case protocol.InputWheel:
		// The DOM's positive deltas scroll down and right; the wheel's
		// positive notches scroll up, the horizontal wheel's right.
		ins := []win32.Input{r.move(ev.X, ev.Y)}
		if ev.DY != 0 {
			ins = append(ins, win32.Mouse(0, 0, int32(-ev.DY*win32.WheelDelta), win32.MouseWheel))
		}
		if ev.DX != 0 {
			ins = append(ins, win32.Mouse(0, 0, int32(ev.DX*win32.WheelDelta), win32.MouseHWheel))
		}
		return win32.SendInput(ins...)
	case protocol.InputKey, protocol.InputScan:
		sc := scanCodes[ev.Code]
		if err := r.key(sc, ev.Down); err != nil {
			return err
		}
		if ev.Down {
			r.heldScan[ev.Code] = sc
		} else {
			delete(r.heldScan, ev.Code)
		}
	case protocol.InputText:
		var ins []win32.Input
		for _, u := range utf16.Encode([]rune(ev.Text)) {
			ins = append(ins, win32.Key(0, u, win32.KeyUnicode), win32.Key(0, u, win32.KeyUnicode|win32.KeyUp))
		}
		return win32.SendInput(ins...)
	}
	return nil
}

// move returns the absolute move to a fraction of the streamed area:
// SendInput's absolute coordinates run from 0 to 65535 across the virtual
// desktop.
func (r *Robot) move(x, y float64) win32.Input {
	v := win32.VirtualScreen()
	w, h := int(v.Right-v.Left), int(v.Bottom-v.Top)
	px, py := pixel(x, w), pixel(y, h)
	if a := r.area.Load(); a != nil {
		px, py = a.X+pixel(x, a.W), a.Y+pixel(y, a.H)
	}
	norm := func(p, n int) int32 {
		if n <= 1 {
			return 0
		}
		return int32(math.Round(float64(p) * 65535 / float64(n-1)))
	}
	return win32.Mouse(norm(px, w), norm(py, h), 0, win32.MouseMove|win32.MouseAbsolute|win32.MouseVirtualDesk)
}

var buttonFlags = [3][2]uint32{
	{win32.MouseLeftUp, win32.MouseLeftDown},
	{win32.MouseMiddleUp, win32.MouseMiddleDown},
	{win32.MouseRightUp, win32.MouseRightDown},
}

// button presses or releases button b after the optional move before.
func (r *Robot) button(b int, down bool, before ...win32.Input) error {
	flag := buttonFlags[b][0]
	if down {
		flag = buttonFlags[b][1]
		r.journal.Button(b+1, true) // the journal numbers buttons from 1, as X does
	}
	if err := win32.SendInput(append(before, win32.Mouse(0, 0, 0, flag))...); err != nil {
		return err
	}
	if !down {
		r.journal.Button(b+1, false)
	}
	r.heldButtons[b] = down
	return nil
}

// key presses or releases the key at scan code sc (0xE0xx: extended). The
// journal keeps the scan code: a supervisor releases exactly that key.
func (r *Robot) key(sc uint16, down bool) error {
	if down {
		r.journal.Key(uint32(sc), true)
	}
	if err := win32.SendInput(win32.KeyScan(sc, !down)); err != nil {
		return err
	}
	if !down {
		r.journal.Key(uint32(sc), false)
	}
	return nil
}

// releaseAll releases held keys and buttons. Loop goroutine only.
func (r *Robot) releaseAll() error {
	var errs []error
	for code, sc := range r.heldScan {
		errs = append(errs, r.key(sc, false))
		delete(r.heldScan, code)
	}
	for b, down := range r.heldButtons {
		if down {
			errs = append(errs, r.button(b, false))
		}
	}
	return errors.Join(errs...)
}
