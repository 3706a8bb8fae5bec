package main

import (
	"fmt"
	"runtime"

	"golang.org/x/sys/windows"

	"github.com/lifeline-support/lifeline/agent/win32"
)

// Window messages the test window logs.
const (
	wmSetFocus    = 0x0007
	wmKillFocus   = 0x0008
	wmKeyDown     = 0x0100
	wmKeyUp       = 0x0101
	wmChar        = 0x0102
	wmSysKeyDown  = 0x0104
	wmSysKeyUp    = 0x0105
	wmSysChar     = 0x0106
	wmSysDeadChar = 0x0107 // the last of WM_CHAR, WM_DEADCHAR, WM_SYSCHAR, WM_SYSDEADCHAR
	wmMouseMove   = 0x0200
	wmMouseWheel  = 0x020A
)

// buttons maps mouse messages to X button numbers and press (true) or
// release, so the log reads as the X window's.
var buttons = map[uint32]struct {
	button int
	down   bool
}{
	0x0201: {1, true}, 0x0202: {1, false}, // left
	0x0207: {2, true}, 0x0208: {2, false}, // middle
	0x0204: {3, true}, 0x0205: {3, false}, // right
}

// run opens a topmost Win32 window and logs its events until it is closed.
// Key presses carry the text the window receives for them (WM_CHAR after
// TranslateMessage, so the keyboard layout and dead keys apply); keycode is
// the virtual key and the scan code, so a press and its release match.
func run(cfg config) error {
	runtime.LockOSThread()
	lg, closeLog, err := openLog(cfg)
	if err != nil {
		return err
	}
	defer closeLog()

	brushes := []uintptr{win32.Brush(255, 0, 0), win32.Brush(0, 255, 0), win32.Brush(0, 0, 255), win32.Brush(255, 255, 0)}
	w2, h2 := int32(cfg.W/2), int32(cfg.H/2)
	rect := func(l, t, r, b int32) win32.Rect { return win32.Rect{Left: l, Top: t, Right: r, Bottom: b} }
	quadrants := []win32.Rect{rect(0, 0, w2, h2), rect(w2, 0, int32(cfg.W), h2), rect(0, h2, w2, int32(cfg.H)), rect(w2, h2, int32(cfg.W), int32(cfg.H))}
	// Client coordinates are screen coordinates less the window's corner:
	// the window has no frame and does not move.
	at := func(lParam uintptr) (x, y, rx, ry int16) {
		x, y = int16(lParam&0xffff), int16(lParam>>16&0xffff)
		return x, y, x + int16(cfg.X), y + int16(cfg.Y)
	}
	proc := func(h uintptr, m uint32, wParam, lParam uintptr) (uintptr, bool) {
		switch m {
		case win32.WM_PAINT:
			win32.Paint(h, func(dc uintptr, _ win32.Rect) {
				for i, r := range quadrants {
					win32.FillRect(dc, r, brushes[i])
				}
			})
			return 0, true
		case wmSetFocus:
			lg.write(record{Event: "focus_in"})
		case wmKillFocus:
			lg.write(record{Event: "focus_out"})
		case wmMouseMove:
			x, y, rx, ry := at(lParam)
			lg.write(record{Event: "motion", X: &x, Y: &y, RootX: &rx, RootY: &ry})
		case wmMouseWheel:
			rx, ry := int16(lParam&0xffff), int16(lParam>>16&0xffff) // screen coordinates
			b := 4
			if int16(wParam>>16) < 0 {
				b = 5
			}
			lg.write(record{Event: "button_press", Button: b, RootX: &rx, RootY: &ry})
			lg.write(record{Event: "button_release", Button: b, RootX: &rx, RootY: &ry})
		case win32.WM_DESTROY:
			win32.Quit()
			return 0, true
		default:
			if b, ok := buttons[m]; ok {
				x, y, rx, ry := at(lParam)
				kind := "button_release"
				if b.down {
					kind = "button_press"
				}
				lg.write(record{Event: kind, Button: b.button, X: &x, Y: &y, RootX: &rx, RootY: &ry})
			}
		}
		return 0, false
	}
	const class = "LifelineTestWindow"
	if err := win32.RegisterClass(class, proc); err != nil {
		return err
	}
	hwnd, err := win32.CreateWindow(win32.WS_EX_TOPMOST, class, win32.WS_POPUP|win32.WS_VISIBLE, cfg.X, cfg.Y, cfg.W, cfg.H)
	if err != nil {
		return err
	}
	win32.Redraw(hwnd)
	if err := win32.Focus(hwnd); err != nil {
		return err
	}
	x, y := int16(cfg.X), int16(cfg.Y)
	lg.write(record{Event: "ready", Window: uint32(hwnd), X: &x, Y: &y, W: cfg.W, H: cfg.H})
	fmt.Println("READY")

	var m win32.Msg
	for win32.GetMessage(&m) {
		switch m.Message {
		case wmKeyDown, wmSysKeyDown:
			win32.TranslateMessage(&m)
			var text []uint16
			var c win32.Msg
			for win32.PeekMessage(&c, m.Hwnd, wmChar, wmSysDeadChar) {
				if c.Message == wmChar || c.Message == wmSysChar {
					text = append(text, uint16(c.WParam))
				}
			}
			lg.write(keyEvent("key_press", m, windows.UTF16ToString(append(text, 0))))
			continue
		case wmKeyUp, wmSysKeyUp:
			lg.write(keyEvent("key_release", m, ""))
			continue
		}
		win32.TranslateMessage(&m)
		win32.DispatchMessage(&m)
	}
	return nil
}

// keyEvent logs a key message: keycode is the virtual key and the scan
// code (with its extended bit), the same for a press and its release.
func keyEvent(kind string, m win32.Msg, text string) record {
	scan := int(m.LParam>>16) & 0x1ff
	return record{Event: kind, Keycode: int(m.WParam)<<9 | scan, Keysym: uint32(m.WParam), Text: &text}
}
