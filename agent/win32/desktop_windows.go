package win32

import (
	"encoding/binary"
	"fmt"
	"unsafe"

	"golang.org/x/sys/windows"
)

var (
	wtsapi32 = windows.NewLazySystemDLL("wtsapi32.dll")

	procOpenInputDesktop            = user32.NewProc("OpenInputDesktop")
	procGetThreadDesktop            = user32.NewProc("GetThreadDesktop")
	procCloseDesktop                = user32.NewProc("CloseDesktop")
	procGetUserObjectInformationW   = user32.NewProc("GetUserObjectInformationW")
	procWTSQuerySessionInformationW = wtsapi32.NewProc("WTSQuerySessionInformationW")
	procWTSFreeMemory               = wtsapi32.NewProc("WTSFreeMemory")
)

// InputDesktopName returns the name of the desktop that receives input now:
// "Default" for the user's own, "Winlogon" for the lock screen, a UAC
// prompt's secure desktop or the Ctrl+Alt+Del screen. It fails when this
// process may not open that desktop (a process of the user's session may
// not open Winlogon's).
func InputDesktopName() (string, error) {
	const desktopReadObjects = 0x0001
	h, _, err := procOpenInputDesktop.Call(0, 0, desktopReadObjects)
	if h == 0 {
		return "", fmt.Errorf("OpenInputDesktop: %w", err)
	}
	defer procCloseDesktop.Call(h)
	return desktopName(h)
}

// ThreadDesktopName returns the name of the desktop the calling thread's
// windows belong to: the desktop this process shows its windows on and
// reads with GDI ("Default" for a program the user started).
func ThreadDesktopName() (string, error) {
	h, _, err := procGetThreadDesktop.Call(uintptr(windows.GetCurrentThreadId()))
	if h == 0 {
		return "", fmt.Errorf("GetThreadDesktop: %w", err)
	}
	// Not closed: GetThreadDesktop's handle is the thread's own.
	return desktopName(h)
}

// desktopName returns the name of desktop h (UOI_NAME).
func desktopName(h uintptr) (string, error) {
	const uoiName = 2
	var name [256]uint16
	var need uint32
	if r, _, err := procGetUserObjectInformationW.Call(h, uoiName, uintptr(unsafe.Pointer(&name[0])), uintptr(len(name)*2), uintptr(unsafe.Pointer(&need))); r == 0 {
		return "", fmt.Errorf("GetUserObjectInformation: %w", err)
	}
	return windows.UTF16ToString(name[:]), nil
}

// SessionLocked reports whether this process's session is locked, from
// WTSQuerySessionInformation's WTSSessionInfoEx (WTSINFOEX level 1,
// SessionFlags: WTS_SESSIONSTATE_LOCK 0, WTS_SESSIONSTATE_UNLOCK 1). known
// is false when the system does not say (WTS_SESSIONSTATE_UNKNOWN, Wine).
// Windows 7 and Server 2008 R2 report the two flags the other way round
// (documented); the agent needs Windows 10.
func SessionLocked() (locked, known bool) {
	const (
		wtsCurrentSession = 0xFFFFFFFF
		wtsSessionInfoEx  = 25
		// WTSINFOEXW: Level (DWORD), then the union, 8-aligned (it holds
		// LARGE_INTEGERs): SessionId, SessionState, SessionFlags.
		flagsOffset = 16
	)
	var buf *byte
	var n uint32
	r, _, _ := procWTSQuerySessionInformationW.Call(0, wtsCurrentSession, wtsSessionInfoEx, uintptr(unsafe.Pointer(&buf)), uintptr(unsafe.Pointer(&n)))
	if r == 0 || buf == nil {
		return false, false
	}
	defer procWTSFreeMemory.Call(uintptr(unsafe.Pointer(buf)))
	if n < flagsOffset+4 {
		return false, false
	}
	info := unsafe.Slice(buf, n)
	if binary.LittleEndian.Uint32(info) != 1 { // level 1
		return false, false
	}
	switch int32(binary.LittleEndian.Uint32(info[flagsOffset:])) {
	case 0:
		return true, true
	case 1:
		return false, true
	}
	return false, false
}
