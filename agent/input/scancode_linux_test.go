package input

import "testing"

func TestScanCodesDistinct(t *testing.T) {
	aliases := map[string]string{"OSLeft": "MetaLeft", "OSRight": "MetaRight"}
	seen := map[uint8]string{}
	for code, kc := range scanCodes {
		if kc < 8 {
			t.Errorf("%s maps to keycode %d, below X's minimum 8", code, kc)
		}
		if _, alias := aliases[code]; alias {
			if scanCodes[aliases[code]] != kc {
				t.Errorf("%s = %d, want the same keycode as %s", code, kc, aliases[code])
			}
			continue
		}
		if other, dup := seen[kc]; dup {
			t.Errorf("%s and %s both map to keycode %d", code, other, kc)
		}
		seen[kc] = code
	}
	// A few fixed points of the evdev keycode set.
	for code, want := range map[string]uint8{"KeyA": 38, "KeyQ": 24, "Digit1": 10, "Digit0": 19, "F1": 67, "F13": 191, "Delete": 119, "AltRight": 108} {
		if scanCodes[code] != want {
			t.Errorf("%s = %d, want %d", code, scanCodes[code], want)
		}
	}
}
