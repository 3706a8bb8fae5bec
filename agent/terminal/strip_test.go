package terminal

import (
	"strings"
	"testing"
)

func TestStripEscapes(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"plain", "hello\r\nworld\n", "hello\nworld\n"},
		{"colours", "\x1b[1;31mred\x1b[0m ok\n", "red ok\n"},
		{"title", "\x1b]0;user@host: ~\x07$ ls\n", "$ ls\n"},
		{"title ST", "\x1b]2;x\x1b\\done", "done"},
		{"cursor and alt screen", "\x1b[?1049h\x1b[H\x1b[2Jtop\x1b[?1049l", "top"},
		{"charset", "\x1b(Babc", "abc"},
		{"keypad mode", "\x1b=x\x1b>y", "xy"},
		{"backspace and bell", "ab\x08\x07c", "abc"},
		{"utf8", "é€", "é€"},
		{"invalid", "a\xffb", "a\uFFFDb"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s stripper
			if got := s.strip([]byte(tc.in)); got != tc.want {
				t.Errorf("strip(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// A sequence or a character split between two reads is still handled.
func TestStripAcrossReads(t *testing.T) {
	var s stripper
	got := s.strip([]byte("a\x1b[3")) + s.strip([]byte("1mb\xc3")) + s.strip([]byte("\xa9c"))
	if got != "abéc" {
		t.Errorf("got %q, want %q", got, "abéc")
	}
}

// TestStripUnterminatedOSCEnds: an OSC (or CSI) that never ends, as
// printf '\e]' leaves, is given up after maxSeq bytes and what follows is
// text again, so the transcript goes on.
func TestStripUnterminatedOSCEnds(t *testing.T) {
	for _, start := range []string{"\x1b]", "\x1b[", "\x1bP"} {
		var s stripper
		got := s.strip([]byte(start))
		for i := 0; i < 3; i++ {
			got += s.strip([]byte(strings.Repeat("x", 4<<10)))
		}
		got += s.strip([]byte("after\n"))
		if !strings.HasSuffix(got, "after\n") {
			t.Errorf("after %q and 12 KiB: the end %q is not kept", start, got[max(0, len(got)-20):])
		}
	}
}
