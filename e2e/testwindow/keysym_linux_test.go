package main

import (
	"testing"

	"github.com/jezek/xgb/xproto"
)

func TestLookup(t *testing.T) {
	kb := &keyboard{min: 8, max: 11, per: 2, syms: []xproto.Keysym{
		'a', 'A', // 8
		'1', '!', // 9
		0x01000000 + '€', 0, // 10: lone keysym
		0xffb1, 0xffb1, // 11: placeholder
	}}
	kb.numLock = 1 << 4
	kb.syms[6], kb.syms[7] = 0xff9c, 0xffb1 // KP_End, KP_1
	tests := []struct {
		kc    xproto.Keycode
		state uint16
		want  string
	}{
		{8, 0, "a"},
		{8, maskShift, "A"},
		{8, maskLock, "A"},
		{8, maskShift | maskLock, "A"},
		{9, 0, "1"},
		{9, maskShift, "!"},
		{9, maskLock, "1"},
		{10, 0, "€"},
		{11, 0, ""},
		{11, 1 << 4, "1"},
		{11, 1<<4 | maskShift, ""},
		{7, 0, ""},
	}
	for _, tt := range tests {
		if got := keysymText(kb.lookup(tt.kc, tt.state)); got != tt.want {
			t.Errorf("lookup(%d, %#x) = %q, want %q", tt.kc, tt.state, got, tt.want)
		}
	}
}

func TestKeysymNames(t *testing.T) {
	tests := map[xproto.Keysym]string{
		'a': "a", 'A': "A", 0xffe1: "Shift_L", 0xffc2: "F5", 0x010020ac: "U20AC",
		0: "NoSymbol", 0x2d: "minus", 0xffb3: "KP_3",
	}
	for s, want := range tests {
		if got := keysymName(s); got != want {
			t.Errorf("keysymName(%#x) = %q, want %q", s, got, want)
		}
	}
	if got := keysymText(0xe9) + keysymText(0x20ac) + keysymText(0x0101f600); got != "é€😀" {
		t.Errorf("keysymText = %q", got)
	}
}
