package input

import "strconv"

// scanCodes maps DOM KeyboardEvent.code values (physical key positions) to
// PC/AT scan codes (set 1, as SendInput takes them with KEYEVENTF_SCANCODE);
// 0xE0xx marks an extended key. The customer's layout decides what each key
// types, so AltGr, dead keys and national characters behave as on the
// customer's keyboard.
var scanCodes = buildScanCodes()

func buildScanCodes() map[string]uint16 {
	m := map[string]uint16{
		"Escape": 0x01, "Minus": 0x0c, "Equal": 0x0d, "Backspace": 0x0e, "Tab": 0x0f,
		"BracketLeft": 0x1a, "BracketRight": 0x1b, "Enter": 0x1c, "ControlLeft": 0x1d,
		"Semicolon": 0x27, "Quote": 0x28, "Backquote": 0x29, "ShiftLeft": 0x2a,
		"Backslash": 0x2b, "Comma": 0x33, "Period": 0x34, "Slash": 0x35,
		"ShiftRight": 0x36, "NumpadMultiply": 0x37, "AltLeft": 0x38, "Space": 0x39,
		"CapsLock": 0x3a, "NumLock": 0x45, "ScrollLock": 0x46,
		"Numpad7": 0x47, "Numpad8": 0x48, "Numpad9": 0x49, "NumpadSubtract": 0x4a,
		"Numpad4": 0x4b, "Numpad5": 0x4c, "Numpad6": 0x4d, "NumpadAdd": 0x4e,
		"Numpad1": 0x4f, "Numpad2": 0x50, "Numpad3": 0x51, "Numpad0": 0x52,
		"NumpadDecimal": 0x53, "IntlBackslash": 0x56, "F11": 0x57, "F12": 0x58,
		"IntlRo": 0x73, "IntlYen": 0x7d, "NumpadComma": 0x7e, "NumpadEqual": 0x59,
		"NumpadEnter": 0xe01c, "ControlRight": 0xe01d, "NumpadDivide": 0xe035,
		"PrintScreen": 0xe037, "AltRight": 0xe038, "Home": 0xe047,
		"ArrowUp": 0xe048, "PageUp": 0xe049, "ArrowLeft": 0xe04b, "ArrowRight": 0xe04d,
		"End": 0xe04f, "ArrowDown": 0xe050, "PageDown": 0xe051, "Insert": 0xe052,
		"Delete": 0xe053, "MetaLeft": 0xe05b, "MetaRight": 0xe05c, "OSLeft": 0xe05b,
		"OSRight": 0xe05c, "ContextMenu": 0xe05d,
	}
	for i, c := range "1234567890" {
		m["Digit"+string(c)] = uint16(0x02 + i)
	}
	for i, c := range "QWERTYUIOP" {
		m["Key"+string(c)] = uint16(0x10 + i)
	}
	for i, c := range "ASDFGHJKL" {
		m["Key"+string(c)] = uint16(0x1e + i)
	}
	for i, c := range "ZXCVBNM" {
		m["Key"+string(c)] = uint16(0x2c + i)
	}
	for i := 1; i <= 10; i++ {
		m["F"+strconv.Itoa(i)] = uint16(0x3a + i)
	}
	for i := 13; i <= 23; i++ {
		m["F"+strconv.Itoa(i)] = uint16(0x64 + i - 13)
	}
	m["F24"] = 0x76
	return m
}
