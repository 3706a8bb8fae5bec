package text

import (
	"errors"
	"testing"
)

func TestCheckNameAndText(t *testing.T) {
	for _, tc := range []struct {
		s             string
		name, message error
	}{
		{"Marie Dupont", nil, nil},
		{"Zoë Ørsted", nil, nil},
		{"محمد", nil, nil},
		{"李雷", nil, nil},
		{"two\nlines\ttab", ErrHidden, nil},
		{"👩\u200d💻", ErrHidden, nil},
		{"invoice\u202efdp.exe", ErrHidden, ErrHidden},
		{"\u2066isolate\u2069", ErrHidden, ErrHidden},
		{"zero\u200bwidth", ErrHidden, ErrHidden},
		{"soft\u00adhyphen", ErrHidden, ErrHidden},
		{"\ufeffbom", ErrHidden, ErrHidden},
		{"line\u2028separator", ErrHidden, ErrHidden},
		{"nul\x00", ErrHidden, ErrHidden},
		{"bad \xff byte", ErrInvalidUTF8, ErrInvalidUTF8},
		{"replacement \ufffd", ErrHidden, ErrHidden},
	} {
		if err := CheckName(tc.s); !errors.Is(err, tc.name) {
			t.Errorf("CheckName(%q) = %v, want %v", tc.s, err, tc.name)
		}
		if err := CheckText(tc.s); !errors.Is(err, tc.message) {
			t.Errorf("CheckText(%q) = %v, want %v", tc.s, err, tc.message)
		}
	}
}
