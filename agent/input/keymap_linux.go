package input

import "strconv"

// keyDef says how one DOM KeyboardEvent.code is injected.
type keyDef struct {
	// name is the robotgo key name, or "" when robotgo has no usable name
	// for the key and it is injected by keysym through XTEST instead.
	name string
	// keysym is the X keysym robotgo looks up for name (or the keysym to
	// inject). It must be present in the keyboard mapping: robotgo would
	// otherwise fake keycode 0, which the X server answers with a BadValue
	// error that Xlib's default handler turns into exit(1).
	keysym uint32
}

// keyMap maps DOM KeyboardEvent.code values to keys. Codes not listed are
// rejected with ErrUnknownKey: robotgo silently ignores names it does not
// know, so validation must happen here.
var keyMap = buildKeyMap()

func buildKeyMap() map[string]keyDef {
	m := map[string]keyDef{
		// Punctuation on a US layout, by physical position. robotgo resolves
		// single characters through XStringToKeysym and its own table, which
		// maps "'" to quotedbl: the same physical key as apostrophe.
		"Minus":         {"-", 0x2d},
		"Equal":         {"=", 0x3d},
		"BracketLeft":   {"[", 0x5b},
		"BracketRight":  {"]", 0x5d},
		"Backslash":     {"\\", 0x5c},
		"Semicolon":     {";", 0x3b},
		"Quote":         {"'", 0x22},
		"Backquote":     {"`", 0x60},
		"Comma":         {",", 0x2c},
		"Period":        {".", 0x2e},
		"Slash":         {"/", 0x2f},
		"IntlBackslash": {"", 0x3c}, // less; robotgo turns "<" into comma

		"Enter":       {"enter", 0xff0d},
		"NumpadEnter": {"", 0xff8d}, // robotgo's num_enter is not a keysym
		"Tab":         {"tab", 0xff09},
		"Space":       {"space", 0x20},
		"Backspace":   {"backspace", 0xff08},
		"Delete":      {"delete", 0xffff},
		"Escape":      {"escape", 0xff1b},
		"Insert":      {"insert", 0xff63},
		"Home":        {"home", 0xff50},
		"End":         {"end", 0xff57},
		"PageUp":      {"pageup", 0xff55},
		"PageDown":    {"pagedown", 0xff56},
		"ArrowLeft":   {"left", 0xff51},
		"ArrowUp":     {"up", 0xff52},
		"ArrowRight":  {"right", 0xff53},
		"ArrowDown":   {"down", 0xff54},
		"PrintScreen": {"printscreen", 0xff61},
		"Pause":       {"", 0xff13},
		"ScrollLock":  {"", 0xff14},
		"ContextMenu": {"", 0xff67}, // robotgo's "menu" is Windows only

		"ShiftLeft":    {"lshift", 0xffe1},
		"ShiftRight":   {"rshift", 0xffe2},
		"ControlLeft":  {"lctrl", 0xffe3},
		"ControlRight": {"rctrl", 0xffe4},
		"AltLeft":      {"lalt", 0xffe9},
		"AltRight":     {"ralt", 0xffea},
		"MetaLeft":     {"lcmd", 0xffeb},
		"MetaRight":    {"rcmd", 0xffec},
		"OSLeft":       {"lcmd", 0xffeb}, // older Firefox names for Meta
		"OSRight":      {"rcmd", 0xffec},
		"CapsLock":     {"capslock", 0xffe5},
		"NumLock":      {"num_lock", 0xff7f},

		"NumpadDecimal":  {"num.", 0xffae},
		"NumpadAdd":      {"", 0xffab}, // robotgo's num+ etc. are not keysyms
		"NumpadSubtract": {"", 0xffad},
		"NumpadMultiply": {"", 0xffaa},
		"NumpadDivide":   {"", 0xffaf},
		"NumpadEqual":    {"", 0xffbd},
	}
	for c := 'A'; c <= 'Z'; c++ {
		lower := c - 'A' + 'a'
		m["Key"+string(c)] = keyDef{string(lower), uint32(lower)}
	}
	for c := '0'; c <= '9'; c++ {
		m["Digit"+string(c)] = keyDef{string(c), uint32(c)}
		m["Numpad"+string(c)] = keyDef{"num" + string(c), 0xffb0 + uint32(c-'0')}
	}
	for i := 1; i <= 24; i++ {
		m["F"+strconv.Itoa(i)] = keyDef{"f" + strconv.Itoa(i), 0xffbe + uint32(i-1)}
	}
	return m
}
