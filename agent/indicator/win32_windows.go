package indicator

import (
	"fmt"
	"runtime"
	"sync"

	"github.com/lifeline-support/lifeline/agent/win32"
)

// Win32 draws the indicator in topmost windows that never take the focus:
// four thin layered strips framing the virtual screen, click-through
// (WS_EX_TRANSPARENT), and a badge at the top centre that takes clicks.
// Every window call happens on one OS thread, which runs their message
// loop.
type Win32 struct {
	onStop func(controlled bool)
	done   chan struct{}
	once   sync.Once

	// Owned by the window thread once NewWin32 returns.
	strips  [4]uintptr
	badge   uintptr
	brushes map[State]uintptr

	mu    sync.Mutex // guards the fields below
	state State
	text  string
}

const (
	msgShow  = win32.WM_APP + 1
	msgClose = win32.WM_APP + 2
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

// NewWin32 creates the indicator's windows, hidden; onStop runs (on the
// window thread; it must not block) when the customer clicks the badge.
func NewWin32(onStop func(controlled bool)) (*Win32, error) {
	w := &Win32{onStop: onStop, done: make(chan struct{}), brushes: map[State]uintptr{
		Viewed:     win32.Brush(viewedRGB[0], viewedRGB[1], viewedRGB[2]),
		Controlled: win32.Brush(controlledRGB[0], controlledRGB[1], controlledRGB[2]),
		Lost:       win32.Brush(lostRGB[0], lostRGB[1], lostRGB[2]),
	}}
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
	w.badge = h
	w.own(h)
	started <- nil
	win32.MessageLoop()
}

func (w *Win32) own(h uintptr) {
	windowsMu.Lock()
	windowsOf[h] = w
	windowsMu.Unlock()
}

// destroy destroys the windows. Window thread only.
func (w *Win32) destroy() {
	windowsMu.Lock()
	defer windowsMu.Unlock()
	for _, h := range append(w.strips[:], w.badge) {
		if h != 0 {
			delete(windowsOf, h)
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
		s, text := w.state, w.text
		w.mu.Unlock()
		if h != w.badge {
			text = ""
		}
		win32.Paint(h, func(dc uintptr, rc win32.Rect) {
			win32.FillRect(dc, rc, w.brushes[s])
			if text != "" {
				win32.DrawText(dc, rc, text)
			}
		})
		return 0, true
	case win32.WM_MOUSEACTIVATE:
		return win32.MA_NOACTIVATE, true
	case win32.WM_LBUTTONUP:
		if h == w.badge && w.onStop != nil {
			w.mu.Lock()
			s := w.state
			w.mu.Unlock()
			if s != Off {
				w.onStop(s == Controlled)
			}
		}
		return 0, true
	case msgShow:
		w.apply()
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
	s, text := w.state, w.text
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
		win32.Show(w.badge, false)
		return
	}
	bw := min(sw, win32.TextWidth(text)+2*padding)
	win32.Place(w.badge, x+(sw-bw)/2, y, bw, BadgeHeight)
	win32.Redraw(w.badge)
	win32.Show(w.badge, true)
}

// Show shows state s with the badge's text; it returns once the window
// thread was asked.
func (w *Win32) Show(s State, text string) error {
	w.mu.Lock()
	w.state, w.text = s, text
	w.mu.Unlock()
	return win32.Post(w.badge, msgShow, 0, 0)
}

// Close removes the windows and ends their thread. It is safe to call more
// than once.
func (w *Win32) Close() error {
	w.once.Do(func() {
		if win32.Post(w.badge, msgClose, 0, 0) == nil {
			<-w.done
		}
	})
	return nil
}
