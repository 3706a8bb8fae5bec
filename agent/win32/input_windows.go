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

// KeyScan returns the event that presses or releases (up) the key at scan
// code sc (0xE0xx for extended keys). It carries the key's virtual key too:
// Windows finds it itself when KEYEVENTF_SCANCODE is set, Wine does not.
// The agent's worker presses keys with it and its supervisor releases the
// keys a dead worker held with it, so a release is the mirror of its press
// (the same scan code: an application that follows scan codes sees the key
// come up).
func KeyScan(sc uint16, up bool) Input {
	flags := uint32(KeyScanCode)
	if sc&0xff00 == 0xe000 {
		flags |= KeyExtended
	}
	if up {
		flags |= KeyUp
	}
	vk := ScanToVK(sc)
	if vk == 0 {
		vk = digitVK(sc)
	}
	return Key(uint16(vk), sc&0xff, flags)
}

// digitVK is the virtual key of the digit row's scan codes (0x02 to 0x0b:
// 1 to 9, then 0), the same on every Windows layout, AZERTY included
// (Shift or not). Wine's MapVirtualKey answers 0 for them on a French
// layout, whose unshifted characters there are not digits.
func digitVK(sc uint16) uint32 {
	switch {
	case sc >= 0x02 && sc <= 0x0a:
		return uint32('1' + sc - 0x02)
	case sc == 0x0b:
		return '0'
	}
	return 0
}

// ScanToVK returns the virtual key of a scan code (0xE0xx for extended
// keys) in the current keyboard layout, 0 if none.
func ScanToVK(scan uint16) uint32 {
	const vscToVKEx = 3
	r, _, _ := procMapVirtualKeyW.Call(uintptr(scan), vscToVKEx)
	return uint32(r)
}
