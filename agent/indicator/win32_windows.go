package indicator

import (
	"errors"
	"fmt"
	"image"
	"runtime"
	"sync"

	"github.com/lifeline-support/lifeline/agent/win32"
)

// Win32 draws the indicator in topmost windows that never take the focus:
// four thin layered strips framing the virtual screen, click-through
// (WS_EX_TRANSPARENT), and a badge in the bottom right corner that takes
// clicks on its text and on its buttons, and follows a drag (a drag is no
// click). To point at a window (Pick) a nearly transparent window covers
// the virtual screen and takes the next click.
// Every window call happens on one OS thread, which runs their message
// loop.
type Win32 struct {
	onClick func(Zone)
	done    chan struct{}
	once    sync.Once

	// Owned by the window thread once NewWin32 returns.
	strips  [4]uintptr
	win     uintptr // the badge's window
	catcher uintptr // covers the screen while the customer points at a window
	brushes map[State]uintptr
	// press is where the pointer went down on the badge and pressAt where
	// the badge was then; dragging is set once it moved beyond dragSlop.
	press, pressAt image.Point
	pressed        bool
	dragging       bool

	mu    sync.Mutex // guards the fields below
	state State
	badge Badge
	look  layout // the badge drawn (render), its End button's place
	// at is the badge's place now; corner its bottom right corner where
	// the customer dragged it (nil: the default corner).
	at     image.Rectangle
	corner *image.Point
	// pickDone is set while the customer points at a window (see Pick).
	pickDone func(image.Point, bool)
}

var _ Picker = (*Win32)(nil)

const (
	msgShow  = win32.WM_APP + 1
	msgClose = win32.WM_APP + 2
	msgPick  = win32.WM_APP + 3
)

var (
	registerOnce sync.Once
	registerErr  error
	// windows maps each indicator window to its Win32, for the window
	// procedure (one class for all).
	windowsMu sync.Mutex
	windowsOf = map[uintptr]*Win32{}
)

const className = "LifelineIndicator"

// NewWin32 creates the indicator's windows, hidden; onClick runs (on the
// window thread; it must not block) when the customer clicks the badge.
func NewWin32(onClick func(Zone)) (*Win32, error) {
	w := &Win32{onClick: onClick, done: make(chan struct{}), brushes: map[State]uintptr{}}
	for _, st := range []State{Viewed, Controlled, Lost, Held} {
		c := rgbOf(st)
		w.brushes[st] = win32.Brush(c[0], c[1], c[2])
	}
	started := make(chan error, 1)
	go w.run(started)
	if err := <-started; err != nil {
		return nil, err
	}
	return w, nil
}

// run creates the windows and runs their message loop on one OS thread.
func (w *Win32) run(started chan<- error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer close(w.done)
	registerOnce.Do(func() { registerErr = win32.RegisterClass(className, proc) })
	if registerErr != nil {
		started <- fmt.Errorf("indicator: %w", registerErr)
		return
	}
	const strip = win32.WS_EX_TOPMOST | win32.WS_EX_TOOLWINDOW | win32.WS_EX_NOACTIVATE | win32.WS_EX_LAYERED | win32.WS_EX_TRANSPARENT
	for i := range w.strips {
		h, err := win32.CreateWindow(strip, className, win32.WS_POPUP, 0, 0, 1, 1)
		if err != nil {
			w.destroy()
			started <- fmt.Errorf("indicator: %w", err)
			return
		}
		win32.Opaque(h)
		w.strips[i] = h
		w.own(h)
	}
	h, err := win32.CreateWindow(win32.WS_EX_TOPMOST|win32.WS_EX_TOOLWINDOW|win32.WS_EX_NOACTIVATE, className, win32.WS_POPUP, 0, 0, 1, BadgeHeight)
	if err != nil {
		w.destroy()
		started <- fmt.Errorf("indicator: %w", err)
		return
	}
	w.win = h
	w.own(h)
	if h, err = win32.CreateWindow(win32.WS_EX_TOPMOST|win32.WS_EX_TOOLWINDOW|win32.WS_EX_NOACTIVATE|win32.WS_EX_LAYERED,
		className, win32.WS_POPUP, 0, 0, 1, 1); err != nil {
		w.destroy()
		started <- fmt.Errorf("indicator: %w", err)
		return
	}
	win32.Translucent(h, 1)
	w.catcher = h
	w.own(h)
	started <- nil
	win32.MessageLoop()
}

func (w *Win32) own(h uintptr) {
	windowsMu.Lock()
	windowsOf[h] = w
	windowsMu.Unlock()
}

// destroy destroys the windows. Window thread only. DestroyWindow sends
// messages to proc at once, which takes windowsMu: it is called without.
func (w *Win32) destroy() {
	hs := append(w.strips[:], w.win, w.catcher)
	windowsMu.Lock()
	for _, h := range hs {
		delete(windowsOf, h)
	}
	windowsMu.Unlock()
	for _, h := range hs {
		if h != 0 {
			win32.Destroy(h)
		}
	}
}

// proc is the window procedure of every indicator window.
func proc(h uintptr, msg uint32, wParam, lParam uintptr) (uintptr, bool) {
	windowsMu.Lock()
	w := windowsOf[h]
	windowsMu.Unlock()
	if w == nil {
		return 0, false
	}
	switch msg {
	case win32.WM_PAINT:
		w.mu.Lock()
		s, img := w.state, w.look.img
		w.mu.Unlock()
		win32.Paint(h, func(dc uintptr, rc win32.Rect) {
			win32.FillRect(dc, rc, w.brushes[s])
			if h == w.win && img != nil {
				// The same picture as on X11: Go Medium text, End button.
				win32.DrawImage(dc, img)
			}
		})
		return 0, true
	case win32.WM_MOUSEACTIVATE:
		return win32.MA_NOACTIVATE, true
	case win32.WM_SETCURSOR:
		if h == w.catcher {
			win32.CrossCursor()
			return 1, true
		}
		return 0, false
	case win32.WM_RBUTTONDOWN, win32.WM_MBUTTONDOWN:
		if h == w.catcher {
			w.endPick(image.Point{}, false)
		}
		return 0, true
	case win32.WM_LBUTTONDOWN:
		if h == w.catcher {
			// lParam is in the catcher's client coordinates: from the
			// virtual screen's top-left corner, as Privacy counts.
			at := image.Pt(int(int16(lParam&0xffff)), int(int16(lParam>>16&0xffff)))
			v := win32.VirtualScreen()
			w.mu.Lock()
			onBadge := at.Add(image.Pt(int(v.Left), int(v.Top))).In(w.at)
			w.mu.Unlock()
			w.endPick(at, !onBadge)
			return 0, true
		}
		if h == w.win {
			w.mu.Lock()
			w.pressAt = w.at.Min
			w.mu.Unlock()
			w.pressed, w.dragging = true, false
			w.press = w.pointer(lParam)
			win32.CaptureMouse(h)
		}
		return 0, true
	case win32.WM_MOUSEMOVE:
		if h == w.win && w.pressed {
			w.drag(w.pointer(lParam))
		}
		return 0, true
	case win32.WM_LBUTTONUP:
		if h == w.win && w.pressed {
			w.pressed = false
			win32.ReleaseMouse()
			if w.dragging {
				w.drag(w.pointer(lParam))
				return 0, true
			}
		}
		if h == w.win && w.onClick != nil {
			w.mu.Lock()
			s, look := w.state, w.look
			w.mu.Unlock()
			if s != Off {
				w.onClick(look.zone(int(int16(lParam & 0xffff))))
			}
		}
		return 0, true
	case msgShow:
		w.apply()
		return 0, true
	case msgPick:
		v := win32.VirtualScreen()
		win32.Place(w.catcher, int(v.Left), int(v.Top), int(v.Right-v.Left), int(v.Bottom-v.Top))
		win32.Show(w.catcher, true)
		return 0, true
	case msgClose:
		w.destroy()
		win32.Quit()
		return 0, true
	}
	return 0, false
}

// apply shows the state asked last. Window thread only.
func (w *Win32) apply() {
	w.mu.Lock()
	s, b := w.state, w.badge
	w.mu.Unlock()
	v := win32.VirtualScreen()
	x, y, sw, sh := int(v.Left), int(v.Top), int(v.Right-v.Left), int(v.Bottom-v.Top)
	frame := s == Viewed || s == Controlled // the frame means someone is viewing
	rects := [4][4]int{{x, y, sw, Frame}, {x, y + sh - Frame, sw, Frame}, {x, y, Frame, sh}, {x + sw - Frame, y, Frame, sh}}
	for i, h := range w.strips {
		if frame {
			win32.Place(h, rects[i][0], rects[i][1], rects[i][2], rects[i][3])
			win32.Redraw(h)
		}
		win32.Show(h, frame)
	}
	if s == Off {
		win32.Show(w.win, false)
		w.mu.Lock()
		w.pickDone = nil // hidden: the pick ends, unreported
		w.mu.Unlock()
		win32.Show(w.catcher, false)
		return
	}
	look, err := render(s, b, sw-2*Margin)
	if err != nil {
		return
	}
	bw := look.img.Rect.Dx()
	corner := image.Pt(x+sw-Margin, y+sh-BottomMargin)
	w.mu.Lock()
	if w.corner != nil {
		corner = *w.corner
	}
	w.look = look
	w.at = placed(corner, bw, image.Rect(x, y, x+sw, y+sh))
	at := w.at
	w.mu.Unlock()
	win32.Place(w.win, at.Min.X, at.Min.Y, bw, BadgeHeight)
	win32.Redraw(w.win)
	win32.Show(w.win, true)
}

// pointer is where the pointer of a mouse message's lParam (the badge's
// client coordinates) is on the screen.
func (w *Win32) pointer(lParam uintptr) image.Point {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.at.Min.Add(image.Pt(int(int16(lParam&0xffff)), int(int16(lParam>>16&0xffff))))
}

// drag moves the badge with the pointer, now at p, once it moved beyond
// dragSlop since the press. Window thread only.
func (w *Win32) drag(p image.Point) {
	d := p.Sub(w.press)
	if !w.dragging && max(d.X, -d.X, d.Y, -d.Y) <= dragSlop {
		return
	}
	w.dragging = true
	v := win32.VirtualScreen()
	w.mu.Lock()
	bw := w.at.Dx()
	corner := w.pressAt.Add(d).Add(image.Pt(bw, BadgeHeight))
	w.corner = &corner
	w.at = placed(corner, bw, image.Rect(int(v.Left), int(v.Top), int(v.Right), int(v.Bottom)))
	at := w.at
	w.mu.Unlock()
	win32.Place(w.win, at.Min.X, at.Min.Y, bw, BadgeHeight)
}

// Show shows state s with badge b; it returns once the window thread was
// asked.
func (w *Win32) Show(s State, b Badge) error {
	w.mu.Lock()
	w.state, w.badge = s, b
	w.mu.Unlock()
	return win32.Post(w.win, msgShow, 0, 0)
}

// Close removes the windows and ends their thread. It is safe to call more
// than once.
func (w *Win32) Close() error {
	w.once.Do(func() {
		if win32.Post(w.win, msgClose, 0, 0) == nil {
			<-w.done
		}
	})
	return nil
}

// Pick covers the screen with a nearly transparent window (a crosshair over
// it) until the customer's next click: the left button anywhere but on the
// badge picks there (from the virtual screen's top-left corner), another
// button cancels. See Picker; Show(Off) ends it without calling done.
func (w *Win32) Pick(done func(at image.Point, ok bool)) error {
	w.mu.Lock()
	if w.pickDone != nil {
		w.mu.Unlock()
		return errors.New("indicator: already pointing at a window")
	}
	w.pickDone = done
	w.mu.Unlock()
	if err := win32.Post(w.win, msgPick, 0, 0); err != nil {
		w.mu.Lock()
		w.pickDone = nil
		w.mu.Unlock()
		return err
	}
	return nil
}

// endPick hides the catcher and reports the pick, if one is on. Window
// thread only.
func (w *Win32) endPick(at image.Point, ok bool) {
	win32.Show(w.catcher, false)
	w.mu.Lock()
	done := w.pickDone
	w.pickDone = nil
	w.mu.Unlock()
	if done != nil {
		done(at, ok)
	}
}
