package text

import (
	"testing"
	"unicode/utf8"
)

func TestShownBoundsAndHidesNothing(t *testing.T) {
	for _, c := range []struct {
		name, in string
		max      int
		want     string
	}{
		{"plain", "KeePassXC", 20, "KeePassXC"},
		{"exact length", "abcd", 4, "abcd"},
		{"cut", "abcdef", 4, "abc…"},
		{"bidi override", "evil\u202etxt.exe", 30, "evil\ufffdtxt.exe"},
		{"control", "a\x00b\nc", 30, "a\ufffdb\ufffdc"},
		{"invalid UTF-8", "a\xffb", 30, "a\ufffdb"},
		{"zero max", "abc", 0, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := Shown(c.in, c.max)
			if got != c.want {
				t.Fatalf("Shown(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
			}
			if utf8.RuneCountInString(got) > c.max {
				t.Fatalf("%q is longer than %d", got, c.max)
			}
		})
	}
}
