// Package text owns the rule for text that one person types and another reads
// (names, chat messages, file names): it is valid UTF-8 and hides nothing —
// no control characters, no bidi overrides, no other invisible format
// characters that could make it look like something it is not.
package text

import (
	"unicode"
	"unicode/utf8"
)

// Hidden reports whether r changes how the text around it reads or shows
// nothing itself: control characters, format characters (Unicode category
// Cf: bidi overrides and isolates such as U+202E, zero-width spaces and
// joiners, the byte-order mark), line and paragraph separators, and the
// replacement character that stands for invalid UTF-8.
func Hidden(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) ||
		unicode.In(r, unicode.Zl, unicode.Zp) || r == utf8.RuneError
}

// CheckName returns nil if s may be shown to another person as a one-line
// name, ErrInvalidUTF8 if it is not UTF-8 and ErrHidden if it holds a Hidden
// character.
func CheckName(s string) error {
	return check(s, func(rune) bool { return false })
}

// CheckText is CheckName for a message of several lines: line breaks and
// tabs are allowed, and so is the zero-width joiner that composes emoji.
func CheckText(s string) error {
	return check(s, func(r rune) bool { return r == '\n' || r == '\r' || r == '\t' || r == zeroWidthJoiner })
}

const zeroWidthJoiner = '\u200d'

func check(s string, allowed func(rune) bool) error {
	if !utf8.ValidString(s) {
		return ErrInvalidUTF8
	}
	for _, r := range s {
		if Hidden(r) && !allowed(r) {
			return ErrHidden
		}
	}
	return nil
}
