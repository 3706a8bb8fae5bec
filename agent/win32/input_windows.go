package win32

import (
	"fmt"
	"unsafe"
)

var procMapVirtualKeyW = user32.NewProc("MapVirtualKeyW")

// Input is one INPUT for SendInput (64-bit layout): a mouse or keyboard
// event, made with Mouse or Key.
type Input struct {
	typ uint32
	_   uint32
	u   [32]byte
}

type mouseInput struct {
	dx, dy             int32
	data, flags, time_ uint32
	extra              uintptr
}

type keybdInput struct {
	vk, scan     uint16
	flags, time_ uint32
	extra        uintptr
}

// Mouse and keyboard event flags (MOUSEEVENTF_*, KEYEVENTF_*).
const (
	MouseMove        = 0x0001
	MouseLeftDown    = 0x0002
	MouseLeftUp      = 0x0004
	MouseRightDown   = 0x0008
	MouseRightUp     = 0x0010
	MouseMiddleDown  = 0x0020
	MouseMiddleUp    = 0x0040
	MouseWheel       = 0x0800
	MouseHWheel      = 0x1000
	MouseVirtualDesk = 0x4000
	MouseAbsolute    = 0x8000

	KeyExtended = 0x0001
	KeyUp       = 0x0002
	KeyUnicode  = 0x0004
	KeyScanCode = 0x0008

	// WheelDelta is one notch of the wheel.
	WheelDelta = 120
)

// Mouse returns a mouse event.
func Mouse(dx, dy int32, data int32, flags uint32) Input {
	in := Input{typ: 0}
	*(*mouseInput)(unsafe.Pointer(&in.u)) = mouseInput{dx: dx, dy: dy, data: uint32(data), flags: flags}
	return in
}

// Key returns a keyboard event: a virtual key, a scan code (KeyScanCode) or
// a UTF-16 unit (KeyUnicode).
func Key(vk, scan uint16, flags uint32) Input {
	in := Input{typ: 1}
	*(*keybdInput)(unsafe.Pointer(&in.u)) = keybdInput{vk: vk, scan: scan, flags: flags}
	return in
}

// SendInput injects the events in order. Windows refuses input into the
// windows of a process with a higher integrity level (UIPI) and on the
// secure desktop; then fewer events are injected than asked.
func SendInput(ins ...Input) error {
	if len(ins) == 0 {
		return nil
	}
	n, _, err := procSendInput.Call(uintptr(len(ins)), uintptr(unsafe.Pointer(&ins[0])), unsafe.Sizeof(ins[0]))
	if int(n) != len(ins) {
		return fail(fmt.Sprintf("SendInput (%d of %d events)", n, len(ins)), err)
	}
	return nil
}

// ScanToVK returns the virtual key of a scan code (0xE0xx for extended
// keys) in the current keyboard layout, 0 if none.
func ScanToVK(scan uint16) uint32 {
	const vscToVKEx = 3
	r, _, _ := procMapVirtualKeyW.Call(uintptr(scan), vscToVKEx)
	return uint32(r)
}
