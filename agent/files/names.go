package files

import (
	"strings"
	"unicode/utf8"

	"github.com/lifeline-support/lifeline/agent/supervise"
	"github.com/lifeline-support/lifeline/shared/text"
)

// maxNameBytes bounds a sanitised name: most file systems allow 255 bytes, and
// the temporary name adds a prefix and a suffix.
const maxNameBytes = 200

// Sanitize turns a name chosen by the other side into a safe plain file name: no
// path separators, no "..", no control characters, not a name Windows reserves,
// no trailing dots or spaces, at most maxNameBytes bytes (the extension kept).
func Sanitize(name string) string {
	name = strings.ToValidUTF8(name, "_")
	// Keep only the last element, whichever separator the sender's system uses.
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		if rest := name[i+1:]; strings.Trim(rest, ". ") != "" {
			name = rest
		} else {
			name = strings.Map(func(r rune) rune {
				if r == '/' || r == '\\' {
					return '_'
				}
				return r
			}, name)
		}
	}
	name = strings.Map(func(r rune) rune {
		switch {
		case text.Hidden(r): // controls, bidi overrides, other invisible formats
			return '_'
		case strings.ContainsRune(`/\:*?"<>|`, r):
			return '_'
		}
		return r
	}, name)
	name = strings.TrimLeft(name, " ")
	name = strings.TrimRight(name, ". ")
	name = strings.TrimLeft(name, ".") // no hidden files, no ".."
	if name == "" {
		name = "file"
	}
	base, ext := splitExt(name)
	if isReserved(base) {
		base = "_" + base
	}
	if len(base)+len(ext) > maxNameBytes {
		if len(ext) > 32 {
			ext = ""
		}
		base = truncate(base, maxNameBytes-len(ext))
		base = strings.TrimRight(base, ". ")
		if base == "" {
			base = "file"
		}
	}
	return base + ext
}

// splitExt splits "report.tar.gz" into "report.tar" and ".gz".
func splitExt(name string) (string, string) {
	i := strings.LastIndexByte(name, '.')
	if i <= 0 {
		return name, ""
	}
	return name[:i], name[i:]
}

// isReserved reports whether a base name is reserved on Windows (any extension,
// any case): CON, PRN, AUX, NUL, COM1-9, LPT1-9.
func isReserved(base string) bool {
	b := strings.ToUpper(strings.TrimRight(base, ". "))
	if i := strings.IndexByte(b, '.'); i >= 0 {
		b = b[:i]
	}
	switch b {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	if len(b) == 4 && (strings.HasPrefix(b, "COM") || strings.HasPrefix(b, "LPT")) {
		return b[3] >= '0' && b[3] <= '9'
	}
	return false
}

// truncate cuts s to at most n bytes without splitting a character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// numbered returns "name (i).ext".
func numbered(name string, i int) string {
	base, ext := splitExt(name)
	return base + " (" + itoa(i) + ")" + ext
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b [20]byte
	p := len(b)
	for ; i > 0; i /= 10 {
		p--
		b[p] = byte('0' + i%10)
	}
	return string(b[p:])
}

// partName is the temporary name a file is received under, in the same folder.
func partName(name string) string { return "." + name + supervise.PartialSuffix }
