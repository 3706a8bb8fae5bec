package win32

import (
	"errors"
	"time"
	"unicode/utf16"
	"unsafe"
)

// ErrNoText means the clipboard holds no text.
var ErrNoText = errors.New("win32: no text on the clipboard")

const cfUnicodeText = 13

// openClipboard opens the clipboard, retrying for a while when another
// program has it open.
func openClipboard() error {
	var err error
	for i := 0; i < 20; i++ {
		var ok uintptr
		ok, _, err = procOpenClipboard.Call(0)
		if ok != 0 {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fail("OpenClipboard", err)
}

// ClipboardText returns the clipboard's text (CF_UNICODETEXT), at most
// limit UTF-16 units of it and whether there was more.
func ClipboardText(limit int) (string, bool, error) {
	if err := openClipboard(); err != nil {
		return "", false, err
	}
	defer procCloseClipboard.Call()
	h, _, _ := procGetClipboardData.Call(cfUnicodeText)
	if h == 0 {
		return "", false, ErrNoText
	}
	p, _, err := procGlobalLock.Call(h)
	if p == 0 {
		return "", false, fail("GlobalLock", err)
	}
	defer procGlobalUnlock.Call(h)
	base := ptr(p)
	var units []uint16
	for i := 0; ; i++ {
		u := *(*uint16)(unsafe.Add(base, i*2))
		if u == 0 {
			break
		}
		if len(units) == limit {
			return string(utf16.Decode(units)), true, nil
		}
		units = append(units, u)
	}
	return string(utf16.Decode(units)), false, nil
}

// SetClipboardText makes text the clipboard's content (CF_UNICODETEXT).
func SetClipboardText(text string) error {
	units := append(utf16.Encode([]rune(text)), 0)
	const gmemMoveable = 0x0002
	h, _, err := procGlobalAlloc.Call(gmemMoveable, uintptr(len(units)*2))
	if h == 0 {
		return fail("GlobalAlloc", err)
	}
	p, _, err := procGlobalLock.Call(h)
	if p == 0 {
		procGlobalFree.Call(h)
		return fail("GlobalLock", err)
	}
	copy(unsafe.Slice((*uint16)(ptr(p)), len(units)), units)
	procGlobalUnlock.Call(h)
	if err := openClipboard(); err != nil {
		procGlobalFree.Call(h)
		return err
	}
	defer procCloseClipboard.Call()
	procEmptyClipboard.Call()
	if r, _, err := procSetClipboardData.Call(cfUnicodeText, h); r == 0 {
		procGlobalFree.Call(h) // still ours: the system did not take it
		return fail("SetClipboardData", err)
	}
	return nil
}

// ptr turns an address Windows returned (GlobalLock's) into a pointer to
// memory Go does not manage.
func ptr(p uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&p)) }
