package win32

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

var (
	procRegisterClassExW           = user32.NewProc("RegisterClassExW")
	procCreateWindowExW            = user32.NewProc("CreateWindowExW")
	procDestroyWindow              = user32.NewProc("DestroyWindow")
	procDefWindowProcW             = user32.NewProc("DefWindowProcW")
	procShowWindow                 = user32.NewProc("ShowWindow")
	procSetWindowPos               = user32.NewProc("SetWindowPos")
	procInvalidateRect             = user32.NewProc("InvalidateRect")
	procGetMessageW                = user32.NewProc("GetMessageW")
	procPeekMessageW               = user32.NewProc("PeekMessageW")
	procTranslateMessage           = user32.NewProc("TranslateMessage")
	procDispatchMessageW           = user32.NewProc("DispatchMessageW")
	procPostMessageW               = user32.NewProc("PostMessageW")
	procPostQuitMessage            = user32.NewProc("PostQuitMessage")
	procBeginPaint                 = user32.NewProc("BeginPaint")
	procEndPaint                   = user32.NewProc("EndPaint")
	procFillRect                   = user32.NewProc("FillRect")
	procDrawTextW                  = user32.NewProc("DrawTextW")
	procSetLayeredWindowAttributes = user32.NewProc("SetLayeredWindowAttributes")
	procCreateSolidBrush           = gdi32.NewProc("CreateSolidBrush")
	procSetBkMode                  = gdi32.NewProc("SetBkMode")
	procSetTextColor               = gdi32.NewProc("SetTextColor")
	procGetStockObject             = gdi32.NewProc("GetStockObject")
	procGetTextExtentPoint32W      = gdi32.NewProc("GetTextExtentPoint32W")
)

// Window styles and messages the agent's windows use.
const (
	WS_POPUP   = 0x80000000
	WS_VISIBLE = 0x10000000

	WS_EX_TOPMOST     = 0x00000008
	WS_EX_TRANSPARENT = 0x00000020
	WS_EX_TOOLWINDOW  = 0x00000080
	WS_EX_LAYERED     = 0x00080000
	WS_EX_NOACTIVATE  = 0x08000000

	WM_DESTROY       = 0x0002
	WM_PAINT         = 0x000F
	WM_CLOSE         = 0x0010
	WM_MOUSEMOVE     = 0x0200
	WM_LBUTTONDOWN   = 0x0201
	WM_LBUTTONUP     = 0x0202
	WM_RBUTTONDOWN   = 0x0204
	WM_MBUTTONDOWN   = 0x0207
	WM_SETCURSOR     = 0x0020
	WM_MOUSEACTIVATE = 0x0021
	WM_APP           = 0x8000

	MA_NOACTIVATE     = 3
	SW_HIDE           = 0
	SW_SHOWNOACTIVATE = 4
)

// WindowProc handles a window's message; it returns the result and whether
// it handled it (false: the default handling applies).
type WindowProc func(hwnd uintptr, msg uint32, wParam, lParam uintptr) (uintptr, bool)

// RegisterClass registers a window class named name whose windows call proc.
func RegisterClass(name string, proc WindowProc) error {
	cb := syscall.NewCallback(func(hwnd uintptr, msg uint32, wParam, lParam uintptr) uintptr {
		if r, ok := proc(hwnd, msg, wParam, lParam); ok {
			return r
		}
		r, _, _ := procDefWindowProcW.Call(hwnd, uintptr(msg), wParam, lParam)
		return r
	})
	cls, err := windows.UTF16PtrFromString(name)
	if err != nil {
		return err
	}
	wc := struct {
		size, style                      uint32
		wndProc                          uintptr
		clsExtra, wndExtra               int32
		instance, icon, cursor, bg, menu uintptr
		className                        *uint16
		iconSm                           uintptr
	}{wndProc: cb, className: cls}
	wc.size = uint32(unsafe.Sizeof(wc))
	if r, _, err := procRegisterClassExW.Call(uintptr(unsafe.Pointer(&wc))); r == 0 {
		return fail("RegisterClassExW "+name, err)
	}
	return nil
}

// CreateWindow creates a window of a registered class, hidden unless style
// has WS_VISIBLE.
func CreateWindow(exStyle uint32, class string, style uint32, x, y, w, h int) (uintptr, error) {
	cls, err := windows.UTF16PtrFromString(class)
	if err != nil {
		return 0, err
	}
	hwnd, _, err := procCreateWindowExW.Call(uintptr(exStyle), uintptr(unsafe.Pointer(cls)), uintptr(unsafe.Pointer(cls)),
		uintptr(style), uintptr(x), uintptr(y), uintptr(w), uintptr(h), 0, 0, 0, 0)
	if hwnd == 0 {
		return 0, fail("CreateWindowExW "+class, err)
	}
	return hwnd, nil
}

// Opaque makes a layered window fully opaque (a layered window shows
// nothing until its attributes are set).
func Opaque(hwnd uintptr) {
	const lwaAlpha = 2
	procSetLayeredWindowAttributes.Call(hwnd, 0, 255, lwaAlpha)
}

// Translucent makes a layered window show at alpha (0 transparent, 255
// opaque): alpha 1 looks like nothing yet takes the clicks.
func Translucent(hwnd uintptr, alpha byte) {
	const lwaAlpha = 2
	procSetLayeredWindowAttributes.Call(hwnd, 0, uintptr(alpha), lwaAlpha)
}

var (
	procLoadCursorW = user32.NewProc("LoadCursorW")
	procSetCursor   = user32.NewProc("SetCursor")
)

// CrossCursor shows the crosshair pointer (answering WM_SETCURSOR).
func CrossCursor() {
	const idcCross = 32515
	if c, _, _ := procLoadCursorW.Call(0, idcCross); c != 0 {
		procSetCursor.Call(c)
	}
}

// Show shows (without activating) or hides a window.
func Show(hwnd uintptr, show bool) {
	cmd := uintptr(SW_HIDE)
	if show {
		cmd = SW_SHOWNOACTIVATE
	}
	procShowWindow.Call(hwnd, cmd)
}

// Place moves and sizes a window and puts it on top of the topmost ones,
// without activating it.
func Place(hwnd uintptr, x, y, w, h int) {
	const hwndTopmost = ^uintptr(0) // HWND_TOPMOST (-1)
	const swpNoActivate = 0x0010
	procSetWindowPos.Call(hwnd, hwndTopmost, uintptr(x), uintptr(y), uintptr(w), uintptr(h), swpNoActivate)
}

var (
	procSetCapture     = user32.NewProc("SetCapture")
	procReleaseCapture = user32.NewProc("ReleaseCapture")
)

// CaptureMouse sends the mouse's messages to hwnd until ReleaseMouse, even
// when the pointer leaves it (a drag). Call it on the window's thread.
func CaptureMouse(hwnd uintptr) { procSetCapture.Call(hwnd) }

// ReleaseMouse ends CaptureMouse.
func ReleaseMouse() { procReleaseCapture.Call() }

// Redraw asks for the window to be painted again.
func Redraw(hwnd uintptr) { procInvalidateRect.Call(hwnd, 0, 1) }

// Destroy destroys a window (from its own thread).
func Destroy(hwnd uintptr) { procDestroyWindow.Call(hwnd) }

// Post posts a message to a window's thread and returns at once.
func Post(hwnd uintptr, msg uint32, wParam, lParam uintptr) error {
	if r, _, err := procPostMessageW.Call(hwnd, uintptr(msg), wParam, lParam); r == 0 {
		return fail("PostMessageW", err)
	}
	return nil
}

// Quit ends the thread's message loop.
func Quit() { procPostQuitMessage.Call(0) }

// Msg is a window message (MSG).
type Msg struct {
	Hwnd           uintptr
	Message        uint32
	WParam, LParam uintptr
	Time           uint32
	X, Y           int32
	private        uint32
}

// GetMessage waits for the thread's next message; false means Quit.
func GetMessage(m *Msg) bool {
	r, _, _ := procGetMessageW.Call(uintptr(unsafe.Pointer(m)), 0, 0, 0)
	return int32(r) > 0
}

// PeekMessage takes the next message of hwnd between first and last from
// the queue, if there is one.
func PeekMessage(m *Msg, hwnd uintptr, first, last uint32) bool {
	const pmRemove = 1
	r, _, _ := procPeekMessageW.Call(uintptr(unsafe.Pointer(m)), hwnd, uintptr(first), uintptr(last), pmRemove)
	return r != 0
}

// TranslateMessage posts the character messages of a key message.
func TranslateMessage(m *Msg) { procTranslateMessage.Call(uintptr(unsafe.Pointer(m))) }

// DispatchMessage sends a message to its window's procedure.
func DispatchMessage(m *Msg) { procDispatchMessageW.Call(uintptr(unsafe.Pointer(m))) }

// MessageLoop dispatches the thread's messages until Quit.
func MessageLoop() {
	var m Msg
	for GetMessage(&m) {
		TranslateMessage(&m)
		DispatchMessage(&m)
	}
}

// Brush returns a solid GDI brush of colour r, g, b (kept for the
// process's life: the agent makes a handful).
func Brush(r, g, b uint8) uintptr {
	h, _, _ := procCreateSolidBrush.Call(uintptr(r) | uintptr(g)<<8 | uintptr(b)<<16)
	return h
}

// TextWidth returns the width in pixels of text in the default GUI font.
func TextWidth(text string) int {
	dc, _, _ := procGetDC.Call(0)
	defer procReleaseDC.Call(0, dc)
	const defaultGUIFont = 17
	font, _, _ := procGetStockObject.Call(defaultGUIFont)
	old, _, _ := procSelectObject.Call(dc, font)
	defer procSelectObject.Call(dc, old)
	u, _ := windows.UTF16FromString(text)
	var size struct{ cx, cy int32 }
	procGetTextExtentPoint32W.Call(dc, uintptr(unsafe.Pointer(&u[0])), uintptr(len(u)-1), uintptr(unsafe.Pointer(&size)))
	return int(size.cx)
}

// Paint paints a window with draw, given the window's DC and client
// rectangle. Call it on WM_PAINT.
func Paint(hwnd uintptr, draw func(dc uintptr, client Rect)) {
	var ps struct {
		hdc       uintptr
		erase     int32
		rc        Rect
		restore   int32
		incUpdate int32
		reserved  [32]byte
		_         [4]byte
	}
	dc, _, _ := procBeginPaint.Call(hwnd, uintptr(unsafe.Pointer(&ps)))
	defer procEndPaint.Call(hwnd, uintptr(unsafe.Pointer(&ps)))
	var rc Rect
	procGetClientRect.Call(hwnd, uintptr(unsafe.Pointer(&rc)))
	draw(dc, rc)
}

// FillRect fills r of dc with brush.
func FillRect(dc uintptr, r Rect, brush uintptr) {
	procFillRect.Call(dc, uintptr(unsafe.Pointer(&r)), brush)
}

// DrawText draws text centred in r of dc, in white, in the default GUI
// font.
func DrawText(dc uintptr, r Rect, text string) {
	const defaultGUIFont, transparent = 17, 1
	const dtCenter, dtVCenter, dtSingleLine = 0x1, 0x4, 0x20
	font, _, _ := procGetStockObject.Call(defaultGUIFont)
	procSelectObject.Call(dc, font)
	procSetBkMode.Call(dc, transparent)
	procSetTextColor.Call(dc, 0xffffff)
	u, err := windows.UTF16FromString(text)
	if err != nil || len(u) < 2 {
		return
	}
	procDrawTextW.Call(dc, uintptr(unsafe.Pointer(&u[0])), uintptr(len(u)-1), uintptr(unsafe.Pointer(&r)), dtCenter|dtVCenter|dtSingleLine)
}

var procGetClientRect = user32.NewProc("GetClientRect")

var (
	procSetForegroundWindow = user32.NewProc("SetForegroundWindow")
	procSetFocus            = user32.NewProc("SetFocus")
)

// Focus brings a window to the foreground and gives it the keyboard focus.
func Focus(hwnd uintptr) error {
	procSetForegroundWindow.Call(hwnd)
	if r, _, err := procSetFocus.Call(hwnd); r == 0 && err != windows.ERROR_SUCCESS {
		return fail("SetFocus", err)
	}
	return nil
}
