package main

import (
	"fmt"
	"runtime"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

var (
	user32               = windows.NewLazySystemDLL("user32.dll")
	gdi32                = windows.NewLazySystemDLL("gdi32.dll")
	procRegisterClassExW = user32.NewProc("RegisterClassExW")
	procCreateWindowExW  = user32.NewProc("CreateWindowExW")
	procDefWindowProcW   = user32.NewProc("DefWindowProcW")
	procShowWindow       = user32.NewProc("ShowWindow")
	procUpdateWindow     = user32.NewProc("UpdateWindow")
	procSetForeground    = user32.NewProc("SetForegroundWindow")
	procSetFocus         = user32.NewProc("SetFocus")
	procGetMessageW      = user32.NewProc("GetMessageW")
	procPeekMessageW     = user32.NewProc("PeekMessageW")
	procTranslateMessage = user32.NewProc("TranslateMessage")
	procDispatchMessageW = user32.NewProc("DispatchMessageW")
	procBeginPaint       = user32.NewProc("BeginPaint")
	procEndPaint         = user32.NewProc("EndPaint")
	procFillRect         = user32.NewProc("FillRect")
	procClientToScreen   = user32.NewProc("ClientToScreen")
	procPostQuitMessage  = user32.NewProc("PostQuitMessage")
	procCreateSolidBrush = gdi32.NewProc("CreateSolidBrush")
)

const (
	wmDestroy   = 0x0002
	wmSetFocus  = 0x0007
	wmKillFocus = 0x0008
	wmPaint     = 0x000F
	wmKeyDown   = 0x0100
	wmKeyUp     = 0x0101
	wmChar      = 0x0102

	wmSysKeyDown  = 0x0104
	wmSysKeyUp    = 0x0105
	wmSysChar     = 0x0106
	wmSysDeadChar = 0x0107 // the last of WM_CHAR, WM_DEADCHAR, WM_SYSCHAR, WM_SYSDEADCHAR
	wmMouseMove   = 0x0200
	wmMouseWheel  = 0x020A
	pmRemove      = 0x0001
	wsPopup       = 0x80000000
	wsVisible     = 0x10000000
	wsExTopmost   = 0x00000008
)

type wndClassEx struct {
	size, style                      uint32
	wndProc                          uintptr
	clsExtra, wndExtra               int32
	instance, icon, cursor, bg, menu uintptr
	className                        *uint16
	iconSm                           uintptr
}

type point struct{ x, y int32 }

type msg struct {
	hwnd           uintptr
	message        uint32
	wParam, lParam uintptr
	time           uint32
	pt             point
	private        uint32
}

type rect struct{ left, top, right, bottom int32 }

type paintStruct struct {
	hdc        uintptr
	erase      int32
	paint      rect
	restore    int32
	incUpdate  int32
	reserved   [32]byte
	_alignment [4]byte
}

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

	colours := []uintptr{0x0000ff, 0x00ff00, 0xff0000, 0x00ffff} // COLORREF 0x00BBGGRR: red, green, blue, yellow
	var brushes []uintptr
	for _, c := range colours {
		b, _, _ := procCreateSolidBrush.Call(c)
		brushes = append(brushes, b)
	}
	var hwnd uintptr
	screenPos := func(lParam uintptr) (x, y, rx, ry int16) {
		p := point{int32(int16(lParam & 0xffff)), int32(int16(lParam >> 16 & 0xffff))}
		x, y = int16(p.x), int16(p.y)
		procClientToScreen.Call(hwnd, uintptr(unsafe.Pointer(&p)))
		return x, y, int16(p.x), int16(p.y)
	}
	proc := syscall.NewCallback(func(h uintptr, m uint32, wParam, lParam uintptr) uintptr {
		switch m {
		case wmPaint:
			var ps paintStruct
			dc, _, _ := procBeginPaint.Call(h, uintptr(unsafe.Pointer(&ps)))
			w2, h2 := int32(cfg.W/2), int32(cfg.H/2)
			rects := []rect{{0, 0, w2, h2}, {w2, 0, int32(cfg.W), h2}, {0, h2, w2, int32(cfg.H)}, {w2, h2, int32(cfg.W), int32(cfg.H)}}
			for i, r := range rects {
				procFillRect.Call(dc, uintptr(unsafe.Pointer(&r)), brushes[i])
			}
			procEndPaint.Call(h, uintptr(unsafe.Pointer(&ps)))
			return 0
		case wmSetFocus:
			lg.write(record{Event: "focus_in"})
		case wmKillFocus:
			lg.write(record{Event: "focus_out"})
		case wmMouseMove:
			x, y, rx, ry := screenPos(lParam)
			lg.write(record{Event: "motion", X: &x, Y: &y, RootX: &rx, RootY: &ry})
		case wmMouseWheel:
			rx, ry := int16(lParam&0xffff), int16(lParam>>16&0xffff) // screen coordinates
			b := 4
			if int16(wParam>>16) < 0 {
				b = 5
			}
			lg.write(record{Event: "button_press", Button: b, RootX: &rx, RootY: &ry})
			lg.write(record{Event: "button_release", Button: b, RootX: &rx, RootY: &ry})
		case wmDestroy:
			procPostQuitMessage.Call(0)
			return 0
		default:
			if b, ok := buttons[m]; ok {
				x, y, rx, ry := screenPos(lParam)
				kind := "button_release"
				if b.down {
					kind = "button_press"
				}
				lg.write(record{Event: kind, Button: b.button, X: &x, Y: &y, RootX: &rx, RootY: &ry})
			}
		}
		r, _, _ := procDefWindowProcW.Call(h, uintptr(m), wParam, lParam)
		return r
	})

	class, _ := windows.UTF16PtrFromString("LifelineTestWindow")
	title, _ := windows.UTF16PtrFromString(cfg.Title)
	wc := wndClassEx{wndProc: proc, className: class}
	wc.size = uint32(unsafe.Sizeof(wc))
	if r, _, err := procRegisterClassExW.Call(uintptr(unsafe.Pointer(&wc))); r == 0 {
		return fmt.Errorf("register class: %w", err)
	}
	hwnd, _, err = procCreateWindowExW.Call(wsExTopmost, uintptr(unsafe.Pointer(class)), uintptr(unsafe.Pointer(title)),
		wsPopup|wsVisible, uintptr(cfg.X), uintptr(cfg.Y), uintptr(cfg.W), uintptr(cfg.H), 0, 0, 0, 0)
	if hwnd == 0 {
		return fmt.Errorf("create window: %w", err)
	}
	procShowWindow.Call(hwnd, 5) // SW_SHOW
	procUpdateWindow.Call(hwnd)
	procSetForeground.Call(hwnd)
	procSetFocus.Call(hwnd)
	x, y := int16(cfg.X), int16(cfg.Y)
	lg.write(record{Event: "ready", Window: uint32(hwnd), X: &x, Y: &y, W: cfg.W, H: cfg.H})
	fmt.Println("READY")

	var m msg
	for {
		r, _, _ := procGetMessageW.Call(uintptr(unsafe.Pointer(&m)), 0, 0, 0)
		if int32(r) <= 0 {
			return nil
		}
		switch m.message {
		case wmKeyDown, wmSysKeyDown:
			procTranslateMessage.Call(uintptr(unsafe.Pointer(&m)))
			var text []uint16
			var c msg
			for {
				ok, _, _ := procPeekMessageW.Call(uintptr(unsafe.Pointer(&c)), m.hwnd, wmChar, wmSysDeadChar, pmRemove)
				if ok == 0 {
					break
				}
				if c.message == wmChar || c.message == wmSysChar {
					text = append(text, uint16(c.wParam))
				}
			}
			lg.write(keyEvent("key_press", m, string(utf16Decode(text))))
			continue
		case wmKeyUp, wmSysKeyUp:
			lg.write(keyEvent("key_release", m, ""))
			continue
		}
		procTranslateMessage.Call(uintptr(unsafe.Pointer(&m)))
		procDispatchMessageW.Call(uintptr(unsafe.Pointer(&m)))
	}
}

// keyEvent logs a key message: keycode is the virtual key and the scan
// code (with its extended bit), the same for a press and its release.
func keyEvent(kind string, m msg, text string) record {
	scan := int(m.lParam>>16) & 0x1ff
	return record{Event: kind, Keycode: int(m.wParam)<<9 | scan, Keysym: uint32(m.wParam), Text: &text}
}

func utf16Decode(u []uint16) []rune {
	return []rune(windows.UTF16ToString(append(u, 0)))
}
