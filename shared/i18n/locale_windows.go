package i18n

import (
	"unsafe"

	"golang.org/x/sys/windows"
)

var getUserDefaultLocaleName = windows.NewLazySystemDLL("kernel32.dll").NewProc("GetUserDefaultLocaleName")

// systemLocale is the user's locale as Windows names it ("fr-FR"): Windows
// has no LANG, its users choose their language in Settings.
func systemLocale() string {
	const localeNameMaxLength = 85
	var buf [localeNameMaxLength]uint16
	n, _, _ := getUserDefaultLocaleName.Call(uintptr(unsafe.Pointer(&buf[0])), localeNameMaxLength)
	if n == 0 {
		return ""
	}
	return windows.UTF16ToString(buf[:])
}
