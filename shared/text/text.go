// Package text owns the rule for text that one person types and another reads
// (names, chat messages, file names): it is valid UTF-8 and hides nothing —
// no control characters, no bidi overrides, no other invisible format
// characters that could make it look like something it is not.
package text

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Hidden reports whether r changes how the text around it reads or shows
// nothing itself: control characters, format characters (Unicode category
// Cf: bidi overrides and isolates such as U+202E, zero-width spaces and
// joiners, the byte-order mark), line and paragraph separators, and the
// replacement character that stands for invalid UTF-8, and the letters and
// marks that draw nothing (Unicode's other default-ignorable code points:
// the Hangul fillers U+115F, U+1160, U+3164, U+FFA0, the combining grapheme
// joiner U+034F, Khmer and Mongolian invisibles; every variation selector;
// the braille blank U+2800).
func Hidden(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) ||
		unicode.In(r, unicode.Zl, unicode.Zp, unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector) ||
		r == brailleBlank || r == utf8.RuneError
}

const brailleBlank = '\u2800'

// emojiPresentation and textPresentation are the variation selectors that
// pick how an emoji draws (❤️): allowed in messages, not in names.
const emojiPresentation, textPresentation = '\ufe0f', '\ufe0e'

// CheckName returns nil if s may be shown to another person as a one-line
// name, ErrInvalidUTF8 if it is not UTF-8 and ErrHidden if it holds a Hidden
// character or, not empty, shows nothing but spaces.
func CheckName(s string) error {
	if err := check(s, func(rune) bool { return false }); err != nil {
		return err
	}
	if s != "" && strings.TrimFunc(s, unicode.IsSpace) == "" {
		return ErrHidden
	}
	return nil
}

// CleanName returns s as a one-line name CheckName accepts, for names a
// program reports rather than a person types (a computer's host name): bytes
// that are not UTF-8 and Hidden characters are dropped and the spaces around
// what is left trimmed; a name with nothing visible left is "".
func CleanName(s string) string {
	s = strings.Map(func(r rune) rune {
		if Hidden(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
	return strings.TrimFunc(s, unicode.IsSpace)
}

// CheckText is CheckName for a message of several lines: line breaks and
// tabs are allowed, and so are the zero-width joiner that composes emoji
// and the emoji and text presentation selectors.
func CheckText(s string) error {
	return check(s, func(r rune) bool {
		return r == '\n' || r == '\r' || r == '\t' || r == zeroWidthJoiner || r == emojiPresentation || r == textPresentation
	})
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
