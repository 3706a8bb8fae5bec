package text

import (
	"strings"
	"unicode/utf8"
)

// Shown returns s made fit to show as one line of at most max characters
// (runes) of what another program chose (a window's title, a program's name):
// invalid UTF-8 and Hidden characters become U+FFFD, nothing hides, and a
// longer s is cut with an ellipsis. A max below 1 gives "".
func Shown(s string, max int) string {
	if max < 1 {
		return ""
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if n == max-1 && i < len(s) {
			b.WriteRune('…')
			return b.String()
		}
		if Hidden(r) {
			r = utf8.RuneError
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}
