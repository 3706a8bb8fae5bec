package overlay

import (
	"fmt"
	"image"
	"image/color"
	"runtime"
	"sync"

	"github.com/lifeline-support/lifeline/agent/win32"
)

// Win32 shows the drawing in one topmost, click-through window over the
// virtual screen (WS_EX_LAYERED | WS_EX_TRANSPARENT | WS_EX_TOOLWINDOW |
// WS_EX_NOACTIVATE), colour-keyed so that only the strokes and the laser dot
// show. The strokes are drawn on a canvas by the caller's goroutine; the
// window's own OS thread paints it from the canvas. Windows created later
// with HWND_TOPMOST (the on-screen indicator's) stay above it.
type Win32 struct {
	w, h int
	hwnd uintptr
	done chan struct{}
	once sync.Once

	mu     sync.Mutex // guards the canvas and the laser
	canvas *win32.Canvas
	laser  *image.Point
}

const (
	msgRedraw = win32.WM_APP + 1
	msgClose  = win32.WM_APP + 2
)

const className = "LifelineOverlay"

var (
	registerOnce sync.Once
	registerErr  error
	current      sync.Map // hwnd → *Win32, for the window procedure
)

// NewWin32 opens the overlay window over the virtual screen.
func NewWin32() (*Win32, error) {
	v := win32.VirtualScreen()
	o := &Win32{w: int(v.Right - v.Left), h: int(v.Bottom - v.Top), done: make(chan struct{})}
	c, err := win32.NewCanvas(o.w, o.h)
	if err != nil {
		return nil, fmt.Errorf("overlay: %w", err)
	}
	o.canvas = c
	started := make(chan error, 1)
	go o.run(int(v.Left), int(v.Top), started)
	if err := <-started; err != nil {
		c.Close()
		return nil, err
	}
	return o, nil
}

func (o *Win32) run(x, y int, started chan<- error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer close(o.done)
	registerOnce.Do(func() { registerErr = win32.RegisterClass(className, proc) })
	if registerErr != nil {
		started <- fmt.Errorf("overlay: %w", registerErr)
		return
	}
	const ex = win32.WS_EX_TOPMOST | win32.WS_EX_LAYERED | win32.WS_EX_TRANSPARENT | win32.WS_EX_TOOLWINDOW | win32.WS_EX_NOACTIVATE
	h, err := win32.CreateWindow(ex, className, win32.WS_POPUP, x, y, o.w, o.h)
	if err != nil {
		started <- fmt.Errorf("overlay: %w", err)
		return
	}
	o.hwnd = h
	current.Store(h, o)
	win32.ColorKeyed(h)
	win32.Place(h, x, y, o.w, o.h)
	win32.Show(h, true)
	started <- nil
	win32.MessageLoop()
}

func proc(h uintptr, msg uint32, wParam, lParam uintptr) (uintptr, bool) {
	v, ok := current.Load(h)
	if !ok {
		return 0, false
	}
	o := v.(*Win32)
	switch msg {
	case win32.WM_PAINT:
		win32.Paint(h, func(dc uintptr, _ win32.Rect) {
			o.mu.Lock()
			defer o.mu.Unlock()
			o.canvas.CopyTo(dc)
			if o.laser != nil {
				win32.Dot(dc, *o.laser, LaserRadius, color.RGBA{R: 255, A: 255})
			}
		})
		return 0, true
	case win32.WM_MOUSEACTIVATE:
		return win32.MA_NOACTIVATE, true
	case msgRedraw:
		win32.Redraw(h)
		return 0, true
	case msgClose:
		current.Delete(h)
		win32.Destroy(h)
		win32.Quit()
		return 0, true
	}
	return 0, false
}

// Size is the virtual screen's size.
func (o *Win32) Size() (w, h int) { return o.w, o.h }

// Draw adds parts to the drawing.
func (o *Win32) Draw(parts []Stroke) error {
	o.mu.Lock()
	for _, p := range parts {
		o.canvas.Line(p.Points, p.Color, p.Width)
	}
	o.mu.Unlock()
	return win32.Post(o.hwnd, msgRedraw, 0, 0)
}

// Clear erases every stroke.
func (o *Win32) Clear() error {
	o.mu.Lock()
	o.canvas.Clear()
	o.mu.Unlock()
	return win32.Post(o.hwnd, msgRedraw, 0, 0)
}

// SetLaser shows the laser dot centred on p, or hides it.
func (o *Win32) SetLaser(p image.Point, on bool) error {
	o.mu.Lock()
	if on {
		o.laser = &p
	} else {
		o.laser = nil
	}
	o.mu.Unlock()
	return win32.Post(o.hwnd, msgRedraw, 0, 0)
}

// Close removes the window and frees the canvas. It is safe to call more
// than once.
func (o *Win32) Close() error {
	o.once.Do(func() {
		if win32.Post(o.hwnd, msgClose, 0, 0) == nil {
			<-o.done
		}
		o.mu.Lock()
		o.canvas.Close()
		o.mu.Unlock()
	})
	return nil
}
