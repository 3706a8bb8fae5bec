package input

import "strconv"

// scanCodes maps DOM KeyboardEvent.code values (physical key positions) to X
// keycodes for "remote" keyboard mode: the customer's own layout decides what
// the key types, so AltGr, dead keys and national characters behave exactly as
// on the customer's keyboard.
//
// The keycodes are Linux evdev codes plus 8, which is what Xorg and Xvfb use
// with the default "evdev" XKB rules on Linux. An X server with another
// keycode set (old "xfree86" rules) would need a second table.
var scanCodes = buildScanCodes()

func buildScanCodes() map[string]uint8 {
	m := map[string]uint8{
		"Escape": 9, "Minus": 20, "Equal": 21, "Backspace": 22, "Tab": 23,
		"BracketLeft": 34, "BracketRight": 35, "Enter": 36, "ControlLeft": 37,
		"Semicolon": 47, "Quote": 48, "Backquote": 49, "ShiftLeft": 50,
		"Backslash": 51, "Comma": 59, "Period": 60, "Slash": 61,
		"ShiftRight": 62, "NumpadMultiply": 63, "AltLeft": 64, "Space": 65,
		"CapsLock": 66, "NumLock": 77, "ScrollLock": 78,
		"Numpad7": 79, "Numpad8": 80, "Numpad9": 81, "NumpadSubtract": 82,
		"Numpad4": 83, "Numpad5": 84, "Numpad6": 85, "NumpadAdd": 86,
		"Numpad1": 87, "Numpad2": 88, "Numpad3": 89, "Numpad0": 90,
		"NumpadDecimal": 91, "IntlBackslash": 94, "F11": 95, "F12": 96,
		"IntlRo": 97, "NumpadEnter": 104, "ControlRight": 105,
		"NumpadDivide": 106, "PrintScreen": 107, "AltRight": 108, "Home": 110,
		"ArrowUp": 111, "PageUp": 112, "ArrowLeft": 113, "ArrowRight": 114,
		"End": 115, "ArrowDown": 116, "PageDown": 117, "Insert": 118,
		"Delete": 119, "NumpadEqual": 125, "Pause": 127, "NumpadComma": 129,
		"IntlYen": 132, "MetaLeft": 133, "MetaRight": 134, "OSLeft": 133,
		"OSRight": 134, "ContextMenu": 135,
	}
	for i, c := range "1234567890" {
		m["Digit"+string(c)] = uint8(10 + i)
	}
	for i, c := range "QWERTYUIOP" {
		m["Key"+string(c)] = uint8(24 + i)
	}
	for i, c := range "ASDFGHJKL" {
		m["Key"+string(c)] = uint8(38 + i)
	}
	for i, c := range "ZXCVBNM" {
		m["Key"+string(c)] = uint8(52 + i)
	}
	for i := 1; i <= 10; i++ {
		m["F"+strconv.Itoa(i)] = uint8(66 + i)
	}
	for i := 13; i <= 24; i++ {
		m["F"+strconv.Itoa(i)] = uint8(178 + i)
	}
	return m
}
