// Package i18n is Lifeline's one message catalog: every string a person reads, in
// English and French, chosen from the browser's Accept-Language or the system locale.
package i18n

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
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

func add(msgs map[string]map[Lang]string) {
	for k, v := range msgs {
		if _, dup := catalog[k]; dup {
			panic("i18n: duplicate key " + k)
		}
		catalog[k] = v
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

// Parse returns the supported language named by tag ("fr-FR", "fr_FR.UTF-8", "en"),
// and false if it names none.
func Parse(tag string) (Lang, bool) {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if i := strings.IndexAny(tag, "-_.@"); i >= 0 {
		tag = tag[:i]
	}
	for _, l := range Langs {
		if string(l) == tag {
			return l, true
		}
	}
	return EN, false
}

// FromAcceptLanguage picks the best supported language from an HTTP Accept-Language
// header, honouring q-values; English if none fits.
func FromAcceptLanguage(header string) Lang {
	type cand struct {
		lang Lang
		q    float64
		pos  int
	}
	var cs []cand
	for i, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		if l, ok := Parse(tag); ok && q > 0 {
			cs = append(cs, cand{l, q, i})
		}
	}
	if len(cs) == 0 {
		return EN
	}
	sort.SliceStable(cs, func(a, b int) bool { return cs[a].q > cs[b].q })
	return cs[0].lang
}

// FromEnv picks the language of the system locale (LC_ALL, LC_MESSAGES, LANG).
func FromEnv() Lang {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if s := os.Getenv(v); s != "" {
			if l, ok := Parse(s); ok {
				return l
			}
			return EN
		}
	}
	return EN
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
