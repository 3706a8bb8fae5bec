package privacy

import (
	"fmt"
	"image"
	"slices"

	"github.com/lifeline-support/lifeline/agent/win32"
)

// Win32 is the Desktop of the Windows virtual screen. Windows sends no
// cheap news of other processes' windows moving, so each Sync lists them
// (EnumWindows, tens of microseconds) and compares with the last list.
type Win32 struct {
	last []TopLevel
	read bool
}

var (
	_ Desktop = (*Win32)(nil)
	_ Icons   = (*Win32)(nil)
)

// NewWin32 returns the Desktop of the virtual screen.
func NewWin32() (*Win32, error) { return &Win32{}, nil }

// Close does nothing.
func (w *Win32) Close() error { return nil }

// Sync lists the shown top-level windows, in frame coordinates (the virtual
// screen's top-left corner is 0,0, as in the capture).
func (w *Win32) Sync() (Layout, error) {
	v := win32.VirtualScreen()
	vs := image.Rect(int(v.Left), int(v.Top), int(v.Right), int(v.Bottom))
	tl, err := win32.TopLevels()
	if err != nil {
		return Layout{}, fmt.Errorf("privacy: list windows: %w", err)
	}
	l := Layout{Screen: image.Rectangle{Max: vs.Size()}}
	for _, t := range tl {
		l.Windows = append(l.Windows, TopLevel{ID: uint64(t.HWND), Frame: uint64(t.HWND), Title: t.Title, Program: t.Program,
			Rect: t.Rect.Sub(vs.Min), Occludes: !t.Tool, Listed: !t.Tool && t.Title != "", Owner: uint64(t.PID),
			// Asking a window for its icon is a message to its program,
			// too slow for every frame: the list asks (see Icon).
			Icon: !t.Tool && t.Title != ""})
	}
	l.Changed = !w.read || !slices.EqualFunc(l.Windows, w.last, func(a, b TopLevel) bool {
		return a.ID == b.ID && a.Rect == b.Rect && a.Title == b.Title
	})
	w.last, w.read = l.Windows, true
	return l, nil
}

// Focus returns the foreground window.
func (w *Win32) Focus() (uint64, error) { return uint64(win32.Foreground()), nil }

// Icon returns the icon of window id's program (WM_GETICON, else its
// class's), ErrUnknownWindow if it has none.
func (w *Win32) Icon(id uint64) (image.Image, error) {
	if img := win32.Icon(uintptr(id)); img != nil {
		return img, nil
	}
	return nil, ErrUnknownWindow
}
