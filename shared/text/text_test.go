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

// TestCheckNameRefusesInvisibleLetters: characters that are letters or marks
// to Unicode but draw nothing (Hangul fillers, the braille blank, the
// combining grapheme joiner, variation selectors, the Mongolian vowel
// separator) make no name, alone or as padding around a real one; a name of
// nothing but spaces is refused too.
func TestCheckNameRefusesInvisibleLetters(t *testing.T) {
	for _, tc := range []struct {
		name, s string
	}{
		{"hangul filler", "\u3164"},
		{"hangul choseong filler", "\u115f"},
		{"hangul jungseong filler", "\u1160"},
		{"halfwidth hangul filler", "\uffa0"},
		{"braille blank", "\u2800\u2800"},
		{"combining grapheme joiner", "\u034f"},
		{"variation selector 1", "\ufe00"},
		{"variation selector 16", "\ufe0f"},
		{"variation selector 17", "\U000e0100"},
		{"variation selector 256", "\U000e01ef"},
		{"mongolian vowel separator", "\u180e"},
		{"mongolian free variation selector", "\u180b"},
		{"khmer inherent vowel", "\u17b4"},
		{"padded admin", "admin\u3164\u3164"},
		{"admin padded in front", "\u2800admin"},
		{"tag characters", "admin\U000e0041"},
		{"only spaces", "   "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := CheckName(tc.s); !errors.Is(err, ErrHidden) {
				t.Errorf("CheckName(%q) = %v, want ErrHidden", tc.s, err)
			}
		})
	}
	for _, ok := range []string{"Marie Dupont", "한국어 이름", "Jean-Luc", "O'Brien", "⠁⠃⠉ braille"} {
		if err := CheckName(ok); err != nil {
			t.Errorf("CheckName(%q) = %v, want nil", ok, err)
		}
	}
	for in, want := range map[string]string{"marie-pc": "marie-pc", "pc\u202egpj.exe\xff": "pcgpj.exe", "\u3164\u2800 ": "", " pc\ufe0f ": "pc"} {
		if got := CleanName(in); got != want || CheckName(got) != nil {
			t.Errorf("CleanName(%q) = %q, want %q", in, got, want)
		}
	}
	if err := CheckText("I ❤\ufe0f it"); err != nil {
		t.Errorf("an emoji's presentation selector in a message: %v, want nil", err)
	}
}
