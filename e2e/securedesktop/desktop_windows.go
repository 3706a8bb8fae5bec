package main

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/windows"
)

var (
	user32           = windows.NewLazySystemDLL("user32.dll")
	procOpenDesktopW = user32.NewProc("OpenDesktopW")
	procCloseDesktop = user32.NewProc("CloseDesktop")
)

// desktop is the "Default" desktop, opened to change who may open it.
type desktop uintptr

func openDefault() (desktop, error) {
	const readControl, writeDAC = 0x00020000, 0x00040000
	name, err := windows.UTF16PtrFromString("Default")
	if err != nil {
		return 0, err
	}
	h, _, err := procOpenDesktopW.Call(uintptr(unsafe.Pointer(name)), 0, 0, readControl|writeDAC)
	if h == 0 {
		return 0, fmt.Errorf("OpenDesktop Default: %w", err)
	}
	return desktop(h), nil
}

func (d desktop) close() { procCloseDesktop.Call(uintptr(d)) }

// setAccess takes every right to open the desktop away (an empty DACL:
// nobody) or gives them back (no DACL: anyone, as Wine makes it).
func (d desktop) setAccess(allow bool) error {
	info := windows.SECURITY_INFORMATION(windows.DACL_SECURITY_INFORMATION | windows.UNPROTECTED_DACL_SECURITY_INFORMATION)
	var dacl *windows.ACL
	if !allow {
		sd, err := windows.SecurityDescriptorFromString("D:P")
		if err != nil {
			return err
		}
		if dacl, _, err = sd.DACL(); err != nil {
			return err
		}
		info = windows.DACL_SECURITY_INFORMATION | windows.PROTECTED_DACL_SECURITY_INFORMATION
	}
	if err := windows.SetSecurityInfo(windows.Handle(d), windows.SE_WINDOW_OBJECT, info, nil, nil, dacl, nil); err != nil {
		return fmt.Errorf("SetSecurityInfo: %w", err)
	}
	return nil
}
