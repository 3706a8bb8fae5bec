package win32

import (
	"errors"
	"image"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

var (
	user32 = windows.NewLazySystemDLL("user32.dll")
	gdi32  = windows.NewLazySystemDLL("gdi32.dll")

	procGetSystemMetrics              = user32.NewProc("GetSystemMetrics")
	procEnumDisplayMonitors           = user32.NewProc("EnumDisplayMonitors")
	procGetMonitorInfoW               = user32.NewProc("GetMonitorInfoW")
	procGetDC                         = user32.NewProc("GetDC")
	procReleaseDC                     = user32.NewProc("ReleaseDC")
	procSendInput                     = user32.NewProc("SendInput")
	procSetProcessDpiAwarenessContext = user32.NewProc("SetProcessDpiAwarenessContext")
	procSetProcessDPIAware            = user32.NewProc("SetProcessDPIAware")
	procOpenClipboard                 = user32.NewProc("OpenClipboard")
	procCloseClipboard                = user32.NewProc("CloseClipboard")
	procEmptyClipboard                = user32.NewProc("EmptyClipboard")
	procGetClipboardData              = user32.NewProc("GetClipboardData")
	procSetClipboardData              = user32.NewProc("SetClipboardData")
	procGetClipboardSequenceNumber    = user32.NewProc("GetClipboardSequenceNumber")
	procCreateCompatibleDC            = gdi32.NewProc("CreateCompatibleDC")
	procCreateDIBSection              = gdi32.NewProc("CreateDIBSection")
	procSelectObject                  = gdi32.NewProc("SelectObject")
	procDeleteObject                  = gdi32.NewProc("DeleteObject")
	procDeleteDC                      = gdi32.NewProc("DeleteDC")
	procBitBlt                        = gdi32.NewProc("BitBlt")
	procGdiFlush                      = gdi32.NewProc("GdiFlush")
	kernel32                          = windows.NewLazySystemDLL("kernel32.dll")
	procGlobalAlloc                   = kernel32.NewProc("GlobalAlloc")
	procGlobalLock                    = kernel32.NewProc("GlobalLock")
	procGlobalUnlock                  = kernel32.NewProc("GlobalUnlock")
	procGlobalFree                    = kernel32.NewProc("GlobalFree")
)

// ErrCall means a Windows API call failed; the wrapped error names it.
var ErrCall = errors.New("win32: call failed")

func fail(name string, err error) error {
	if err == nil || err == windows.ERROR_SUCCESS {
		return errors.Join(ErrCall, errors.New(name))
	}
	return errors.Join(ErrCall, errors.New(name+": "+err.Error()))
}

// System metrics for the virtual screen (all monitors).
const (
	SM_XVIRTUALSCREEN  = 76
	SM_YVIRTUALSCREEN  = 77
	SM_CXVIRTUALSCREEN = 78
	SM_CYVIRTUALSCREEN = 79
)

// GetSystemMetrics returns the system metric index.
func GetSystemMetrics(index int) int {
	r, _, _ := procGetSystemMetrics.Call(uintptr(index))
	return int(int32(r))
}

// Rect is a Windows RECT.
type Rect struct{ Left, Top, Right, Bottom int32 }

// VirtualScreen returns the bounding rectangle of all monitors, in the
// virtual screen's coordinates (its origin may be negative).
func VirtualScreen() Rect {
	x, y := GetSystemMetrics(SM_XVIRTUALSCREEN), GetSystemMetrics(SM_YVIRTUALSCREEN)
	w, h := GetSystemMetrics(SM_CXVIRTUALSCREEN), GetSystemMetrics(SM_CYVIRTUALSCREEN)
	return Rect{int32(x), int32(y), int32(x + w), int32(y + h)}
}

type monitorInfo struct {
	Size    uint32
	Monitor Rect
	Work    Rect
	Flags   uint32
}

// MonitorRects lists the monitors' rectangles (EnumDisplayMonitors), in the
// virtual screen's coordinates, the primary monitor first.
func MonitorRects() ([]Rect, error) {
	var rects []Rect
	var primary = -1
	cb := syscall.NewCallback(func(hmon, hdc uintptr, r *Rect, data uintptr) uintptr {
		mi := monitorInfo{Size: uint32(unsafe.Sizeof(monitorInfo{}))}
		if ok, _, _ := procGetMonitorInfoW.Call(hmon, uintptr(unsafe.Pointer(&mi))); ok != 0 {
			if mi.Flags&1 != 0 && primary < 0 { // MONITORINFOF_PRIMARY
				primary = len(rects)
			}
			rects = append(rects, mi.Monitor)
		} else {
			rects = append(rects, *r)
		}
		return 1
	})
	if ok, _, err := procEnumDisplayMonitors.Call(0, 0, cb, 0); ok == 0 {
		return nil, fail("EnumDisplayMonitors", err)
	}
	if primary > 0 {
		rects[0], rects[primary] = rects[primary], rects[0]
	}
	return rects, nil
}

// SetDPIAware makes the process per-monitor DPI aware (V2), or system DPI
// aware on Windows before 10 1703, so that capture and input use physical
// pixels. It reports whether either call succeeded.
func SetDPIAware() bool {
	const perMonitorAwareV2 = ^uintptr(3) // DPI_AWARENESS_CONTEXT_PER_MONITOR_AWARE_V2 (-4)
	if procSetProcessDpiAwarenessContext.Find() == nil {
		if ok, _, _ := procSetProcessDpiAwarenessContext.Call(perMonitorAwareV2); ok != 0 {
			return true
		}
	}
	if procSetProcessDPIAware.Find() == nil {
		ok, _, _ := procSetProcessDPIAware.Call()
		return ok != 0
	}
	return false
}

var (
	procGetThreadDpiAwarenessContext        = user32.NewProc("GetThreadDpiAwarenessContext")
	procGetAwarenessFromDpiAwarenessContext = user32.NewProc("GetAwarenessFromDpiAwarenessContext")
)

// PerMonitorDPIAware reports whether the calling thread works in physical
// pixels on every monitor (DPI_AWARENESS_PER_MONITOR_AWARE), as SetDPIAware
// or the agent's manifest makes it. It is false where Windows cannot say
// (before 10 1607).
func PerMonitorDPIAware() bool {
	const perMonitorAware = 2 // DPI_AWARENESS_PER_MONITOR_AWARE
	if procGetThreadDpiAwarenessContext.Find() != nil || procGetAwarenessFromDpiAwarenessContext.Find() != nil {
		return false
	}
	ctx, _, _ := procGetThreadDpiAwarenessContext.Call()
	a, _, _ := procGetAwarenessFromDpiAwarenessContext.Call(ctx)
	return int32(a) == perMonitorAware
}

// Screenshot is a GDI capture of a rectangle of the virtual screen into a
// top-down 32-bit DIB section (memory order B, G, R, X).
type Screenshot struct {
	screen, mem, bitmap, old uintptr
	// Pix are the DIB section's pixels: W*H*4 bytes, rows top to bottom.
	Pix  []byte
	W, H int
}

type bitmapInfoHeader struct {
	Size          uint32
	Width, Height int32
	Planes        uint16
	BitCount      uint16
	Compression   uint32
	SizeImage     uint32
	XPels, YPels  int32
	ClrUsed       uint32
	ClrImportant  uint32
}

// NewScreenshot prepares captures of w×h pixels.
func NewScreenshot(w, h int) (*Screenshot, error) {
	if w <= 0 || h <= 0 {
		return nil, fail("NewScreenshot: empty screen", nil)
	}
	s := &Screenshot{W: w, H: h}
	var err error
	s.screen, _, err = procGetDC.Call(0)
	if s.screen == 0 {
		return nil, fail("GetDC", err)
	}
	s.mem, _, err = procCreateCompatibleDC.Call(s.screen)
	if s.mem == 0 {
		s.Close()
		return nil, fail("CreateCompatibleDC", err)
	}
	bi := bitmapInfoHeader{Width: int32(w), Height: -int32(h), Planes: 1, BitCount: 32}
	bi.Size = uint32(unsafe.Sizeof(bi))
	var bits unsafe.Pointer
	s.bitmap, _, err = procCreateDIBSection.Call(s.mem, uintptr(unsafe.Pointer(&bi)), 0, uintptr(unsafe.Pointer(&bits)), 0, 0)
	if s.bitmap == 0 || bits == nil {
		s.Close()
		return nil, fail("CreateDIBSection", err)
	}
	s.old, _, _ = procSelectObject.Call(s.mem, s.bitmap)
	s.Pix = unsafe.Slice((*byte)(bits), w*h*4)
	return s, nil
}

// Grab copies the virtual screen's rectangle at x, y (virtual screen
// coordinates) into Pix. It fails while the desktop cannot be read (a
// locked workstation, the secure desktop of a UAC prompt).
func (s *Screenshot) Grab(x, y int) error {
	const srcCopy, captureBlt = 0x00CC0020, 0x40000000
	if ok, _, err := procBitBlt.Call(s.mem, 0, 0, uintptr(s.W), uintptr(s.H), s.screen, uintptr(x), uintptr(y), srcCopy|captureBlt); ok == 0 {
		return fail("BitBlt", err)
	}
	procGdiFlush.Call()
	return nil
}

// Close frees the GDI objects. It is safe to call more than once.
func (s *Screenshot) Close() {
	if s.old != 0 {
		procSelectObject.Call(s.mem, s.old)
		s.old = 0
	}
	if s.bitmap != 0 {
		procDeleteObject.Call(s.bitmap)
		s.bitmap = 0
	}
	if s.mem != 0 {
		procDeleteDC.Call(s.mem)
		s.mem = 0
	}
	if s.screen != 0 {
		procReleaseDC.Call(0, s.screen)
		s.screen = 0
	}
	s.Pix = nil
}

var procGetConsoleProcessList = kernel32.NewProc("GetConsoleProcessList")

// ConsoleProcesses returns how many processes share this process's console:
// 0 without one (output redirected), 1 when the console is its own (the
// program was double-clicked and its window closes when it exits).
func ConsoleProcesses() int {
	var pids [4]uint32
	n, _, _ := procGetConsoleProcessList.Call(uintptr(unsafe.Pointer(&pids[0])), uintptr(len(pids)))
	return int(n)
}

var procSetDIBitsToDevice = gdi32.NewProc("SetDIBitsToDevice")

// DrawImage draws img at the top left of dc (a picture drawn in Go, such as
// the indicator's badge with its text).
func DrawImage(dc uintptr, img *image.RGBA) {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	if w <= 0 || h <= 0 {
		return
	}
	pix := make([]byte, w*h*4)
	for y := range h {
		for x := range w {
			c := img.RGBAAt(img.Rect.Min.X+x, img.Rect.Min.Y+y)
			i := (y*w + x) * 4
			pix[i], pix[i+1], pix[i+2] = c.B, c.G, c.R
		}
	}
	bi := bitmapInfoHeader{Width: int32(w), Height: -int32(h), Planes: 1, BitCount: 32}
	bi.Size = uint32(unsafe.Sizeof(bi))
	const dibRGBColors = 0
	procSetDIBitsToDevice.Call(dc, 0, 0, uintptr(w), uintptr(h), 0, 0, 0, uintptr(h),
		uintptr(unsafe.Pointer(&pix[0])), uintptr(unsafe.Pointer(&bi)), dibRGBColors)
}
