package win32

import (
	"image"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

var (
	procEnumWindows              = user32.NewProc("EnumWindows")
	procIsWindowVisible          = user32.NewProc("IsWindowVisible")
	procIsIconic                 = user32.NewProc("IsIconic")
	procGetWindowRect            = user32.NewProc("GetWindowRect")
	procGetWindowTextW           = user32.NewProc("GetWindowTextW")
	procGetWindowLongPtrW        = user32.NewProc("GetWindowLongPtrW")
	procGetForegroundWindow      = user32.NewProc("GetForegroundWindow")
	procGetAncestor              = user32.NewProc("GetAncestor")
	procGetWindowThreadProcessID = user32.NewProc("GetWindowThreadProcessId")
)

// TopLevel is one shown top-level window.
type TopLevel struct {
	HWND    uintptr
	Title   string
	Program string // the executable's name without ".exe" ("" if unknown)
	Rect    image.Rectangle
	// Tool says it is a tool or click-through window (WS_EX_TOOLWINDOW,
	// WS_EX_TRANSPARENT: the agent's own overlay and badge): not an
	// application's window, and hiding nothing for sure.
	Tool bool
	// PID is the process that made the window.
	PID uint32
}

// enum collects TopLevels' windows; enumMu makes one listing at a time.
var (
	enumMu   sync.Mutex
	enumList []TopLevel
	// enumProc is made once: a process may make only so many callbacks.
	enumProc = syscall.NewCallback(func(hwnd, _ uintptr) uintptr {
		if v, _, _ := procIsWindowVisible.Call(hwnd); v == 0 {
			return 1
		}
		if i, _, _ := procIsIconic.Call(hwnd); i != 0 {
			return 1
		}
		var r Rect
		if ok, _, _ := procGetWindowRect.Call(hwnd, uintptr(unsafe.Pointer(&r))); ok == 0 {
			return 1
		}
		const gwlExStyle = ^uintptr(20 - 1) // -20
		const wsExToolWindow, wsExTransparent = 0x80, 0x20
		ex, _, _ := procGetWindowLongPtrW.Call(hwnd, gwlExStyle)
		t := TopLevel{HWND: hwnd, Rect: image.Rect(int(r.Left), int(r.Top), int(r.Right), int(r.Bottom)),
			Tool: ex&(wsExToolWindow|wsExTransparent) != 0}
		buf := make([]uint16, 512)
		n, _, _ := procGetWindowTextW.Call(hwnd, uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)))
		t.Title = windows.UTF16ToString(buf[:n])
		procGetWindowThreadProcessID.Call(hwnd, uintptr(unsafe.Pointer(&t.PID)))
		t.Program = program(t.PID)
		enumList = append(enumList, t)
		return 1
	})
)

// TopLevels lists the shown (visible, not minimised) top-level windows in
// virtual-screen coordinates, bottom to top.
func TopLevels() ([]TopLevel, error) {
	enumMu.Lock()
	defer enumMu.Unlock()
	enumList = nil
	if ok, _, err := procEnumWindows.Call(enumProc, 0); ok == 0 {
		return nil, err
	}
	out := enumList
	enumList = nil
	// EnumWindows goes top to bottom.
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

// program names the executable of process pid.
func program(pid uint32) string {
	h, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, pid)
	if err != nil {
		return ""
	}
	defer windows.CloseHandle(h)
	buf := make([]uint16, windows.MAX_LONG_PATH)
	n := uint32(len(buf))
	if err := windows.QueryFullProcessImageName(h, 0, &buf[0], &n); err != nil {
		return ""
	}
	name := filepath.Base(windows.UTF16ToString(buf[:n]))
	return strings.TrimSuffix(strings.ToLower(name), ".exe")
}

// Foreground returns the top-level window that has the keyboard (0: none).
func Foreground() uintptr {
	w, _, _ := procGetForegroundWindow.Call()
	if w == 0 {
		return 0
	}
	const gaRoot = 2
	root, _, _ := procGetAncestor.Call(w, gaRoot)
	if root == 0 {
		return w
	}
	return root
}
