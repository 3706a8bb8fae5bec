package fileman

import (
	"syscall"
	"unsafe"
)

var (
	shell32          = syscall.NewLazyDLL("shell32.dll")
	shFileOperationW = shell32.NewProc("SHFileOperationW")
)

// SHFileOperationW's operation and flags (shellapi.h).
const (
	foDelete          = 0x0003
	fofSilent         = 0x0004
	fofNoConfirmation = 0x0010
	fofAllowUndo      = 0x0040
	fofNoErrorUI      = 0x0400
)

// shFileOpStruct is SHFILEOPSTRUCTW (natural alignment on 64-bit Windows).
type shFileOpStruct struct {
	hwnd                  uintptr
	wFunc                 uint32
	pFrom                 *uint16
	pTo                   *uint16
	fFlags                uint16
	fAnyOperationsAborted int32
	hNameMappings         uintptr
	lpszProgressTitle     *uint16
}

// moveToTrash moves path to the Recycle Bin (SHFileOperationW, FO_DELETE
// with FOF_ALLOWUNDO), silently: the technician already confirmed.
func moveToTrash(path string) error {
	// pFrom is a list of paths, each ended by a NUL, ended by another NUL.
	from, err := syscall.UTF16FromString(path)
	if err != nil {
		return ErrBadPath
	}
	from = append(from, 0)
	op := shFileOpStruct{
		wFunc:  foDelete,
		pFrom:  &from[0],
		fFlags: fofAllowUndo | fofNoConfirmation | fofSilent | fofNoErrorUI,
	}
	r, _, _ := shFileOperationW.Call(uintptr(unsafe.Pointer(&op)))
	switch {
	case r == 0 && op.fAnyOperationsAborted == 0:
		return nil
	case r == 0:
		return ErrNoTrash
	case r == 0x20: // ERROR_SHARING_VIOLATION
		return ErrInUse
	case r == 0x5: // ERROR_ACCESS_DENIED
		return ErrPermission
	case r == 0x2 || r == 0x3 || r == 0x7C: // not found; DE_INVALIDFILES
		return ErrNotFound
	}
	return &Error{"failed", "the Recycle Bin refused the file (SHFileOperation error " + itoa(r) + ")"}
}

func itoa(n uintptr) string {
	const digits = "0123456789abcdef"
	if n == 0 {
		return "0x0"
	}
	var b []byte
	for ; n > 0; n >>= 4 {
		b = append([]byte{digits[n&15]}, b...)
	}
	return "0x" + string(b)
}
