package input

import (
	"testing"
)

func TestKeyMap(t *testing.T) {
	for _, code := range []string{"KeyA", "KeyZ", "Digit0", "Digit9", "Enter", "ShiftLeft",
		"ControlLeft", "AltRight", "MetaLeft", "ArrowUp", "F5", "F12", "Backspace", "Tab",
		"Escape", "Space", "Minus", "Numpad0", "NumpadAdd"} {
		if _, ok := keyMap[code]; !ok {
			t.Errorf("keyMap lacks %q", code)
		}
	}
	for code, def := range keyMap {
		if def.keysym == 0 {
			t.Errorf("%s: no keysym", code)
		}
		// robotgo resolves single characters itself; longer names must be
		// ones it knows, or it silently does nothing.
		if len(def.name) > 1 && !robotgoNames[def.name] {
			t.Errorf("%s: robotgo name %q is not one robotgo maps to a keysym", code, def.name)
		}
	}
	if got := keyMap["KeyQ"]; got.name != "q" || got.keysym != 'q' {
		t.Errorf("KeyQ = %+v", got)
	}
	if got := keyMap["F24"]; got.name != "f24" || got.keysym != 0xffd5 {
		t.Errorf("F24 = %+v", got)
	}
}

// robotgoNames are the robotgo v1.0.0 key names whose X11 value is a real keysym.
var robotgoNames = map[string]bool{
	"enter": true, "tab": true, "space": true, "backspace": true, "delete": true,
	"escape": true, "insert": true, "home": true, "end": true, "pageup": true,
	"pagedown": true, "left": true, "up": true, "right": true, "down": true,
	"printscreen": true, "lshift": true, "rshift": true, "lctrl": true, "rctrl": true,
	"lalt": true, "ralt": true, "lcmd": true, "rcmd": true, "capslock": true,
	"num_lock": true, "num.": true,
	"num0": true, "num1": true, "num2": true, "num3": true, "num4": true,
	"num5": true, "num6": true, "num7": true, "num8": true, "num9": true,
	"f1": true, "f2": true, "f3": true, "f4": true, "f5": true, "f6": true, "f7": true,
	"f8": true, "f9": true, "f10": true, "f11": true, "f12": true, "f13": true,
	"f14": true, "f15": true, "f16": true, "f17": true, "f18": true, "f19": true,
	"f20": true, "f21": true, "f22": true, "f23": true, "f24": true,
}

func TestRuneKeysym(t *testing.T) {
	tests := map[rune]uint32{'a': 'a', '~': '~', 'é': 0xe9, '€': 0x010020ac, '日': 0x010065e5, '😀': 0x0101f600}
	for r, want := range tests {
		if got := uint32(runeKeysym(r)); got != want {
			t.Errorf("runeKeysym(%q) = %#x, want %#x", r, got, want)
		}
	}
}
