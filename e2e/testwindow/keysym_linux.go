package main

import (
	"fmt"
	"unicode"

	"github.com/jezek/xgb/xproto"
)

// keyboard is the client-side copy of the server's core keyboard mapping,
// refreshed on MappingNotify like Xlib's XRefreshKeyboardMapping.
type keyboard struct {
	min, max xproto.Keycode
	per      int             // keysyms per keycode
	syms     []xproto.Keysym // (max-min+1)*per entries
	modMap   [8][]xproto.Keycode
	numLock  uint16 // modifier mask that carries Num_Lock, 0 if none
	modeSwch uint16 // modifier mask that carries Mode_switch, 0 if none
}

// Core modifier masks.
const (
	maskShift = 1 << 0
	maskLock  = 1 << 1
)

const (
	ksNumLock    = 0xff7f
	ksModeSwitch = 0xff7e
)

// symbols returns the keysym list of one keycode.
func (k *keyboard) symbols(kc xproto.Keycode) []xproto.Keysym {
	if kc < k.min || kc > k.max || k.per == 0 {
		return nil
	}
	i := int(kc-k.min) * k.per
	return k.syms[i : i+k.per]
}

// updateModifiers derives which modifier bits carry Num_Lock and Mode_switch.
func (k *keyboard) updateModifiers() {
	k.numLock, k.modeSwch = 0, 0
	for mod, codes := range k.modMap {
		for _, kc := range codes {
			for _, s := range k.symbols(kc) {
				switch s {
				case ksNumLock:
					k.numLock |= 1 << mod
				case ksModeSwitch:
					k.modeSwch |= 1 << mod
				}
			}
		}
	}
}

// lookup turns a keycode and modifier state into a keysym with the core
// protocol's rules (X11 protocol, section 5 "Keyboards"), as XLookupKeysym +
// XLookupString do without an input method: group 1 or 2 by Mode_switch,
// then the Num_Lock, Shift and Lock rules for the level.
func (k *keyboard) lookup(kc xproto.Keycode, state uint16) xproto.Keysym {
	syms := k.symbols(kc)
	if len(syms) == 0 {
		return 0
	}
	get := func(i int) xproto.Keysym {
		if i < len(syms) {
			return syms[i]
		}
		return 0
	}
	base := 0
	if k.modeSwch != 0 && state&k.modeSwch != 0 && (get(2) != 0 || get(3) != 0) {
		base = 2
	}
	s0, s1 := get(base), get(base+1)
	if s1 == 0 {
		// A lone alphabetic keysym stands for its lower and upper case.
		s0, s1 = convertCase(s0)
	}
	shift := state&maskShift != 0
	lock := state&maskLock != 0
	if k.numLock != 0 && state&k.numLock != 0 && isKeypad(s1) {
		if shift {
			return s0
		}
		return s1
	}
	switch {
	case !shift && !lock:
		return s0
	case !shift && lock:
		// Caps lock: upper case of the first keysym.
		_, up := convertCase(s0)
		return up
	default: // shift, with or without lock
		if lock {
			_, up := convertCase(s1)
			return up
		}
		return s1
	}
}

func isKeypad(s xproto.Keysym) bool { return s >= 0xff80 && s <= 0xffbd }

// convertCase returns the lower and upper case keysyms of s.
func convertCase(s xproto.Keysym) (lower, upper xproto.Keysym) {
	r := keysymRune(s)
	if r == 0 {
		return s, s
	}
	lo, up := unicode.ToLower(r), unicode.ToUpper(r)
	return runeKeysym(lo), runeKeysym(up)
}

// runeKeysym returns the keysym for a character: Latin-1 keysyms equal their
// code points; others use the Unicode keysym range 0x01000000+rune.
func runeKeysym(r rune) xproto.Keysym {
	if (r >= 0x20 && r <= 0x7e) || (r >= 0xa0 && r <= 0xff) {
		return xproto.Keysym(r)
	}
	return xproto.Keysym(0x01000000 + r)
}

// legacy maps the non-Latin-1 legacy keysyms that common layouts use to
// Unicode (a subset of Xlib's keysym2ucs table).
var legacy = map[xproto.Keysym]rune{
	0x20ac: '€', // EuroSign
	0x13bd: 'œ', 0x13bc: 'Œ', 0x13be: 'Ÿ',
	0x0ad0: '‘', 0x0ad1: '’', 0x0ad2: '“', 0x0ad3: '”',
	0x0aa9: '—', 0x0aaa: '–', 0x0aae: '…',
	0x01a1: 'Ą', 0x01b1: 'ą', 0x01a3: 'Ł', 0x01b3: 'ł',
	0x01c6: 'Ć', 0x01e6: 'ć', 0x01d1: 'Ń', 0x01f1: 'ń',
	0x01a6: 'Ś', 0x01b6: 'ś', 0x01ac: 'Ź', 0x01bc: 'ź', 0x01af: 'Ż', 0x01bf: 'ż',
	0x01ca: 'Ę', 0x01ea: 'ę', 0x01c8: 'Č', 0x01e8: 'č', 0x01a9: 'Š', 0x01b9: 'š',
	0x01ae: 'Ž', 0x01be: 'ž',
}

// keysymRune returns the character a keysym types, or 0 for function keys
// and keysyms without one.
func keysymRune(s xproto.Keysym) rune {
	switch {
	case (s >= 0x20 && s <= 0x7e) || (s >= 0xa0 && s <= 0xff):
		return rune(s)
	case s >= 0x01000100 && s <= 0x0110ffff:
		return rune(s - 0x01000000)
	case s >= 0xffb0 && s <= 0xffb9: // KP_0..KP_9
		return rune('0' + s - 0xffb0)
	}
	switch s {
	case 0xffaa:
		return '*'
	case 0xffab:
		return '+'
	case 0xffad:
		return '-'
	case 0xffae:
		return '.'
	case 0xffaf:
		return '/'
	case 0xffbd:
		return '='
	case 0xff80:
		return ' ' // KP_Space
	}
	return legacy[s]
}

// keysymText is what typing the keysym produces, like XLookupString without
// the Control transformation: the character, or the control character of
// Return, Tab, BackSpace, Escape and Delete; "" for other function keys.
func keysymText(s xproto.Keysym) string {
	switch s {
	case 0xff0d, 0xff8d: // Return, KP_Enter
		return "\r"
	case 0xff09, 0xff89: // Tab, KP_Tab
		return "\t"
	case 0xff08:
		return "\b"
	case 0xff1b:
		return "\x1b"
	case 0xffff:
		return "\x7f"
	}
	if r := keysymRune(s); r != 0 {
		return string(r)
	}
	return ""
}

// keysymNames names the function keysyms as XKeysymToString does.
var keysymNames = map[xproto.Keysym]string{
	0xff08: "BackSpace", 0xff09: "Tab", 0xff0d: "Return", 0xff13: "Pause",
	0xff14: "Scroll_Lock", 0xff1b: "Escape", 0xffff: "Delete",
	0xff50: "Home", 0xff51: "Left", 0xff52: "Up", 0xff53: "Right", 0xff54: "Down",
	0xff55: "Prior", 0xff56: "Next", 0xff57: "End", 0xff61: "Print", 0xff63: "Insert",
	0xff67: "Menu", 0xff7e: "Mode_switch", 0xff7f: "Num_Lock", 0xff8d: "KP_Enter",
	0xffe1: "Shift_L", 0xffe2: "Shift_R", 0xffe3: "Control_L", 0xffe4: "Control_R",
	0xffe5: "Caps_Lock", 0xffe7: "Meta_L", 0xffe8: "Meta_R", 0xffe9: "Alt_L",
	0xffea: "Alt_R", 0xffeb: "Super_L", 0xffec: "Super_R", 0xfe03: "ISO_Level3_Shift",
	0xffaa: "KP_Multiply", 0xffab: "KP_Add", 0xffad: "KP_Subtract", 0xffae: "KP_Decimal",
	0xffaf: "KP_Divide", 0xffbd: "KP_Equal",
	0x20: "space", 0x21: "exclam", 0x22: "quotedbl", 0x23: "numbersign", 0x24: "dollar",
	0x25: "percent", 0x26: "ampersand", 0x27: "apostrophe", 0x28: "parenleft",
	0x29: "parenright", 0x2a: "asterisk", 0x2b: "plus", 0x2c: "comma", 0x2d: "minus",
	0x2e: "period", 0x2f: "slash", 0x3a: "colon", 0x3b: "semicolon", 0x3c: "less",
	0x3d: "equal", 0x3e: "greater", 0x3f: "question", 0x40: "at", 0x5b: "bracketleft",
	0x5c: "backslash", 0x5d: "bracketright", 0x5e: "asciicircum", 0x5f: "underscore",
	0x60: "grave", 0x7b: "braceleft", 0x7c: "bar", 0x7d: "braceright", 0x7e: "asciitilde",
	0xe9: "eacute", 0xc9: "Eacute", 0xe8: "egrave", 0xe0: "agrave", 0xfc: "udiaeresis",
	0xdc: "Udiaeresis", 0xf6: "odiaeresis", 0xd6: "Odiaeresis", 0xe4: "adiaeresis",
	0xc4: "Adiaeresis", 0xdf: "ssharp", 0xe7: "ccedilla", 0x20ac: "EuroSign",
}

// keysymName returns an XKeysymToString-style name: letters and digits as
// themselves, known keysyms by name, Unicode keysyms as "U20AC", others in hex.
func keysymName(s xproto.Keysym) string {
	if n, ok := keysymNames[s]; ok {
		return n
	}
	switch {
	case s == 0:
		return "NoSymbol"
	case (s >= '0' && s <= '9') || (s >= 'A' && s <= 'Z') || (s >= 'a' && s <= 'z'):
		return string(rune(s))
	case s >= 0xffbe && s <= 0xffe0: // F1..F35
		return fmt.Sprintf("F%d", s-0xffbe+1)
	case s >= 0xffb0 && s <= 0xffb9:
		return fmt.Sprintf("KP_%d", s-0xffb0)
	case s >= 0x01000100 && s <= 0x0110ffff:
		return fmt.Sprintf("U%04X", uint32(s-0x01000000))
	}
	return fmt.Sprintf("0x%x", uint32(s))
}
