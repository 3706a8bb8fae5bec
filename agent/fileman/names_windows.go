package fileman

import (
	"io/fs"
	"strings"
	"syscall"
)

// badNameChars cannot be in a name on Windows.
const badNameChars = `<>:"/\|?*`

// nameOK refuses control characters, a trailing dot or space and the
// reserved device names (CON, NUL, COM1…), which Windows will not create.
func nameOK(name string) bool {
	for _, r := range name {
		if r < 0x20 {
			return false
		}
	}
	if strings.HasSuffix(name, ".") || strings.HasSuffix(name, " ") {
		return false
	}
	base, _, _ := strings.Cut(strings.ToUpper(name), ".")
	switch base {
	case "CON", "PRN", "AUX", "NUL":
		return false
	}
	if len(base) == 4 && (strings.HasPrefix(base, "COM") || strings.HasPrefix(base, "LPT")) && base[3] >= '1' && base[3] <= '9' {
		return false
	}
	return true
}

// hidden reports whether an entry has the hidden attribute (FindNextFile
// gave it with the entry: no extra call).
func hidden(_ string, e fs.DirEntry) bool {
	fi, err := e.Info()
	if err != nil {
		return false
	}
	if d, ok := fi.Sys().(*syscall.Win32FileAttributeData); ok {
		return d.FileAttributes&syscall.FILE_ATTRIBUTE_HIDDEN != 0
	}
	return false
}
