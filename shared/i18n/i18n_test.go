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
		// What x/text knows of languages: Breton speakers read French,
		// a wildcard or an unknown language gets English.
		{"br", FR},
		{"*", EN},
		{"nl-BE, de;q=0.8", EN},
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
	for _, v := range []string{"C.UTF-8", "POSIX", "de_DE.UTF-8@euro"} {
		t.Setenv("LANG", v)
		if got := FromEnv(); got != EN {
			t.Fatalf("LANG=%s: FromEnv = %s, want en", v, got)
		}
	}
	t.Setenv("LANG", "fr_CA.UTF-8@euro")
	if got := FromEnv(); got != FR {
		t.Fatalf("LANG=fr_CA.UTF-8@euro: FromEnv = %s, want fr", got)
	}
}

// Counts take the language's plural form: French treats 0 as singular.
func TestPlurals(t *testing.T) {
	for _, tt := range []struct {
		lang Lang
		n    int
		want string
	}{
		{EN, 0, "has 0 terminals open"}, {EN, 1, "has 1 terminal open"}, {EN, 2, "has 2 terminals open"},
		{FR, 0, "a 0 terminal ouvert"}, {FR, 1, "a 1 terminal ouvert"}, {FR, 3, "a 3 terminaux ouverts"},
	} {
		if got := N(tt.lang, "agent.term.open", tt.n); !strings.Contains(got, tt.want) {
			t.Errorf("N(%s, %d) = %q, want %q in it", tt.lang, tt.n, got, tt.want)
		}
	}
}

// Numbers are grouped and pointed as each language writes them.
func TestNumbers(t *testing.T) {
	if got := Number(EN, 12345.5); got != "12,345.5" {
		t.Errorf("English: %q", got)
	}
	// French groups with a (narrow) no-break space and uses a decimal comma.
	if got := Number(FR, 12345.5); !strings.HasPrefix(got, "12") || !strings.HasSuffix(got, "345,5") || strings.Contains(got, ",345") {
		t.Errorf("French: %q", got)
	}
}

func TestTMissingKeyShowsKey(t *testing.T) {
	if got := T(FR, "no.such.key"); got != "no.such.key" {
		t.Fatalf("got %q", got)
	}
}
