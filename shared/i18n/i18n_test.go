package i18n

import (
	"strings"
	"testing"
)

func TestEveryMessageHasEveryLanguage(t *testing.T) {
	for _, k := range Keys() {
		for _, l := range Langs {
			s, ok := catalog[k][l]
			if !ok || strings.TrimSpace(s) == "" {
				t.Errorf("%s: missing %s text", k, l)
			}
		}
		if en, fr := catalog[k][EN], catalog[k][FR]; strings.Count(en, "%") != strings.Count(fr, "%") {
			t.Errorf("%s: English and French use different format verbs", k)
		}
	}
}

func TestFromAcceptLanguage(t *testing.T) {
	tests := []struct {
		header string
		want   Lang
	}{
		{"", EN},
		{"fr-FR,fr;q=0.9,en;q=0.8", FR},
		{"de-DE,fr;q=0.5,en;q=0.7", EN},
		{"de-DE, fr-CA;q=0.3", FR},
		{"en-GB", EN},
		{"xx;q=bad, fr", FR},
	}
	for _, tt := range tests {
		if got := FromAcceptLanguage(tt.header); got != tt.want {
			t.Errorf("FromAcceptLanguage(%q) = %s, want %s", tt.header, got, tt.want)
		}
	}
}

func TestFromEnv(t *testing.T) {
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	t.Setenv("LANG", "fr_FR.UTF-8")
	if got := FromEnv(); got != FR {
		t.Fatalf("FromEnv = %s, want fr", got)
	}
	t.Setenv("LANG", "C.UTF-8")
	if got := FromEnv(); got != EN {
		t.Fatalf("FromEnv = %s, want en", got)
	}
}

func TestTMissingKeyShowsKey(t *testing.T) {
	if got := T(FR, "no.such.key"); got != "no.such.key" {
		t.Fatalf("got %q", got)
	}
}
