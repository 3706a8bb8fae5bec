// Package i18n is Lifeline's one message catalog: every string a person reads, in
// English and French, chosen from the browser's Accept-Language or the system locale.
package i18n

import (
	"cmp"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// Lang is a supported language tag.
type Lang string

// Supported languages. English is the fallback.
const (
	EN Lang = "en"
	FR Lang = "fr"
)

// Langs lists the supported languages in the order shown by language switchers.
var Langs = []Lang{EN, FR}

// Names gives each language's own name, for switchers.
var Names = map[Lang]string{EN: "English", FR: "Français"}

// catalog maps a message key to its text per language. Texts use fmt verbs for
// arguments. Parts add their messages from their own messages_*.go file.
var catalog = map[string]map[Lang]string{}

// text is one message in each language, as the messages_*.go files list
// them: a literal of structs of constants compiles to data, where a literal
// of maps compiled to code that built each one (about 300 KiB in every
// binary, the agent's included).
type text struct{ EN, FR string }

func add(msgs map[string]text) {
	for k, v := range msgs {
		if _, dup := catalog[k]; dup {
			panic("i18n: duplicate key " + k)
		}
		catalog[k] = map[Lang]string{EN: v.EN, FR: v.FR}
	}
}

// T returns the message key in lang, formatted with args. A key missing from the
// catalog comes back as the key itself, so a gap shows and never crashes.
func T(lang Lang, key string, args ...any) string {
	m, ok := catalog[key]
	if !ok {
		return key
	}
	s, ok := m[lang]
	if !ok {
		s = m[EN]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// matcher matches what a person asks for against Langs (same order), with
// what x/text knows of languages: "fr-CA" and "fr_FR" are French, and so are
// Breton and Occitan, whose speakers read it.
var matcher = language.NewMatcher(tags(Langs))

func tags(ls []Lang) []language.Tag {
	out := make([]language.Tag, len(ls))
	for i, l := range ls {
		out[i] = language.Make(string(l))
	}
	return out
}

// Tag is lang's BCP 47 tag.
func (l Lang) Tag() language.Tag { return language.Make(string(l)) }

// match returns the supported language that best fits the wanted tags, in
// their order of preference, and false if none does.
func match(wanted ...language.Tag) (Lang, bool) {
	if len(wanted) == 0 {
		return EN, false
	}
	_, i, conf := matcher.Match(wanted...)
	if conf == language.No {
		return EN, false
	}
	return Langs[i], true
}

// Parse returns the supported language named by tag ("fr-FR", "fr_FR.UTF-8", "en"),
// and false if it names none.
func Parse(tag string) (Lang, bool) {
	// A POSIX locale's codeset and modifier are not part of a language tag.
	if i := strings.IndexAny(tag, ".@"); i >= 0 {
		tag = tag[:i]
	}
	t, err := language.Parse(strings.TrimSpace(tag))
	if err != nil {
		return EN, false
	}
	return match(t)
}

// FromAcceptLanguage picks the best supported language from an HTTP Accept-Language
// header, honouring q-values; English if none fits. An entry that cannot be
// read is skipped, not the whole header.
func FromAcceptLanguage(header string) Lang {
	type want struct {
		tag language.Tag
		q   float32
	}
	var ws []want
	for _, part := range strings.Split(header, ",") {
		ts, qs, err := language.ParseAcceptLanguage(part)
		if err != nil {
			continue
		}
		for i, t := range ts {
			ws = append(ws, want{t, qs[i]})
		}
	}
	slices.SortStableFunc(ws, func(a, b want) int { return cmp.Compare(b.q, a.q) })
	wanted := make([]language.Tag, len(ws))
	for i, w := range ws {
		wanted[i] = w.tag
	}
	l, _ := match(wanted...)
	return l
}

// FromEnv picks the language of the system locale: LC_ALL, LC_MESSAGES or
// LANG, else (on Windows) the user's locale.
func FromEnv() Lang {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if s := os.Getenv(v); s != "" {
			l, _ := Parse(s)
			return l
		}
	}
	l, _ := Parse(systemLocale())
	return l
}

// N is the message key for a count n, in lang's plural form for n: the
// catalog holds key+".one" and key+".other" (French says "0 terminal", English
// "0 terminals"). n is the first argument.
func N(lang Lang, key string, n int, args ...any) string {
	form := ".other"
	if plural.Cardinal.MatchPlural(lang.Tag(), n, 0, 0, 0, 0) == plural.One {
		form = ".one"
	}
	return T(lang, key+form, append([]any{n}, args...)...)
}

// Number writes n as lang does: "12,345.5" in English, "12 345,5" in French.
func Number(lang Lang, n float64) string {
	return message.NewPrinter(lang.Tag()).Sprint(number.Decimal(n))
}

// Keys returns every key in the catalog, sorted (for tests and exports).
func Keys() []string {
	ks := make([]string, 0, len(catalog))
	for k := range catalog {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Table returns every message in lang, for pages that need strings in JavaScript.
func Table(lang Lang, prefix string) map[string]string {
	out := map[string]string{}
	for k := range catalog {
		if strings.HasPrefix(k, prefix) {
			out[k] = T(lang, k)
		}
	}
	return out
}
