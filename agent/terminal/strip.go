package terminal

import (
	"strings"
	"unicode/utf8"
)

// stripper turns a terminal's output into plain text for the transcript:
// escape sequences (CSI, OSC, DCS and two-byte ESC sequences) and control
// characters other than newline and tab are removed, carriage returns
// dropped. It keeps its state across calls, so a sequence split between two
// reads is still removed. A sequence that does not end within maxSeq bytes
// (printf '\e]') is given up: what follows is text again.
type stripper struct {
	state int
	seq   int    // bytes of the escape sequence so far
	pend  []byte // an incomplete UTF-8 sequence at the end of the last call
}

const (
	sText = iota
	sEsc  // after ESC
	sCSI  // in ESC [ ... final
	sStr  // in OSC/DCS/APC/PM/SOS string, until BEL or ESC \
	sStrEsc
)

// maxSeq bounds an escape sequence, in bytes: longer than any a terminal
// needs (titles, hyperlinks), short enough that a stuck one hides little.
const maxSeq = 4 << 10

// strip returns the plain text of p.
func (s *stripper) strip(p []byte) string {
	var b strings.Builder
	var text []byte
	if len(s.pend) > 0 {
		p = append(append([]byte{}, s.pend...), p...)
		s.pend = nil
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if s.state != sText {
			if s.seq++; s.seq > maxSeq {
				s.state = sText
			}
		}
		switch s.state {
		case sText:
			switch {
			case c == 0x1b:
				s.state, s.seq = sEsc, 0
			case c == '\n' || c == '\t':
				text = append(text, c)
			case c < 0x20 || c == 0x7f:
				// other control characters, \r included
			default:
				text = append(text, c)
			}
		case sEsc:
			switch c {
			case '[':
				s.state = sCSI
			case ']', 'P', '_', '^', 'X':
				s.state = sStr
			case '(', ')', '*', '+', '#', '%':
				s.state = sText
				i++ // one more byte names the charset
			default:
				s.state = sText
			}
		case sCSI:
			if c >= 0x40 && c <= 0x7e {
				s.state = sText
			}
		case sStr:
			switch c {
			case 0x07:
				s.state = sText
			case 0x1b:
				s.state = sStrEsc
			}
		case sStrEsc:
			if c == '\\' {
				s.state = sText
			} else {
				s.state = sStr
			}
		}
	}
	// Keep a UTF-8 sequence cut at the end for the next call.
	if n := len(text); n > 0 {
		for k := 1; k <= 3 && k <= n; k++ {
			c := text[n-k]
			if c < 0x80 {
				break
			}
			if c >= 0xc0 { // a leading byte
				if !utf8.FullRune(text[n-k:]) {
					s.pend = append(s.pend, text[n-k:]...)
					text = text[:n-k]
				}
				break
			}
		}
	}
	b.WriteString(strings.ToValidUTF8(string(text), "\uFFFD"))
	return b.String()
}
